package dev.sluice.internal;

import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@link BlockingQueue} view of a channel ({@link dev.sluice.Channel#asBlockingQueue()}).
 *
 * <p>Stateless: every method delegates to the channel's primitives, so the view is exactly as
 * concurrent as the channel. While open it follows the {@code BlockingQueue} contract. After close:
 * insertions throw {@link dev.sluice.ChannelClosedException}; {@code poll} and {@code drainTo}
 * return what is left and then nothing; {@code take} drains and then throws.
 */
final class ChannelQueue<T> extends AbstractQueue<T> implements BlockingQueue<T> {
  private final AbstractChannel<T> channel;

  ChannelQueue(AbstractChannel<T> channel) {
    this.channel = channel;
  }

  @Override
  public boolean offer(T e) {
    return channel.offer(Objects.requireNonNull(e, "e"));
  }

  @Override
  public void put(T e) throws InterruptedException {
    channel.put(Objects.requireNonNull(e, "e"), false, 0L);
  }

  @Override
  public boolean offer(T e, long timeout, TimeUnit unit) throws InterruptedException {
    Objects.requireNonNull(e, "e");
    long nanos = unit.toNanos(timeout);
    return nanos <= 0 ? channel.offer(e) : channel.put(e, true, System.nanoTime() + nanos);
  }

  @Override
  public T take() throws InterruptedException {
    T item = channel.take(false, 0L);
    assert item != null;
    return item;
  }

  @Override
  public @Nullable T poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    if (nanos <= 0 || channel.isClosedForSend()) {
      return channel.pollQuietly();
    }
    try {
      return channel.take(true, System.nanoTime() + nanos);
    } catch (dev.sluice.ChannelClosedException e) {
      return null;
    }
  }

  @Override
  public @Nullable T poll() {
    return channel.pollQuietly();
  }

  @Override
  public @Nullable T peek() {
    return channel.peek();
  }

  @Override
  public int size() {
    return channel.size();
  }

  @Override
  public boolean isEmpty() {
    return channel.size() == 0; // exact, and unlike peek() it never freezes a bounded ring
  }

  @Override
  public int remainingCapacity() {
    return channel.remainingCapacity();
  }

  @Override
  public Iterator<T> iterator() {
    return channel.iterator();
  }

  @Override
  public Spliterator<T> spliterator() {
    return Spliterators.spliterator(
        this, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.CONCURRENT);
  }

  @Override
  public boolean remove(Object o) {
    return o != null && channel.removeItem(o);
  }

  @Override
  public boolean contains(Object o) {
    if (o == null) {
      return false;
    }
    for (T item : this) {
      if (o.equals(item)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void clear() {
    while (channel.pollQuietly() != null) {
      // drop
    }
  }

  @Override
  public int drainTo(Collection<? super T> c) {
    return drainTo(c, Integer.MAX_VALUE);
  }

  @Override
  public int drainTo(Collection<? super T> c, int maxElements) {
    Objects.requireNonNull(c, "c");
    if (c == this) {
      throw new IllegalArgumentException("cannot drain a queue into itself");
    }
    int n = 0;
    while (n < maxElements) {
      T item = channel.pollQuietly();
      if (item == null) {
        break;
      }
      c.add(item);
      n++;
    }
    return n;
  }
}
