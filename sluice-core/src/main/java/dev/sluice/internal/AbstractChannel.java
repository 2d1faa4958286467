package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Sender;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * What every channel kind shares: argument checks, timeouts, {@link Sender}s, {@link #stream()} and
 * the {@link BlockingQueue} view. A kind implements a handful of primitives:
 *
 * <ul>
 *   <li>{@link #offer}: send without waiting;
 *   <li>{@link #put}: send, waiting (optionally until a deadline);
 *   <li>{@link #poll}: receive without waiting;
 *   <li>{@link #take}: receive, waiting (optionally until a deadline);
 *   <li>{@link #closeWith}: the close itself, and the view's inspection methods.
 * </ul>
 *
 * All of them throw {@link ChannelClosedException} (built by {@link #closedForSend} and {@link
 * #closedForReceive}) where the {@link Channel} contract says so.
 *
 * @param <T> the type of items
 */
public abstract class AbstractChannel<T> implements Channel<T> {

  /** Senders opened and not yet closed; the channel closes when this drops back to zero. */
  private final AtomicInteger openSenders = new AtomicInteger();

  private @Nullable ChannelQueue<T> queueView;

  /** Sends without waiting; false when full. Throws when closed. */
  protected abstract boolean offer(T item);

  /**
   * Sends, waiting for room; false if {@code timed} and the {@link System#nanoTime()} deadline
   * passed first. Throws when closed, or when interrupted while it would wait.
   */
  protected abstract boolean put(T item, boolean timed, long deadline) throws InterruptedException;

  /** Receives without waiting; null when empty and open. Throws when closed and drained. */
  protected abstract @Nullable T poll();

  /**
   * Receives, waiting for an item; null if {@code timed} and the deadline passed first. Throws when
   * closed and drained, or when interrupted while it would wait.
   */
  protected abstract @Nullable T take(boolean timed, long deadline) throws InterruptedException;

  /**
   * Closes with {@code cause} (which may be null) unless already closed.
   *
   * @return true if this call closed the channel
   */
  protected abstract boolean closeWith(@Nullable Throwable cause);

  /** The close cause; meaningful only once closed. */
  protected abstract @Nullable Throwable closeCause();

  /** The next item a receiver would get, without taking it; null if none. */
  protected abstract @Nullable T peek();

  /** A weakly consistent iterator over the buffered items, in receive order. */
  protected abstract Iterator<T> iterator();

  /** Removes one buffered item equal to {@code o}; true if one was removed. */
  protected abstract boolean removeItem(Object o);

  /** How many more items could be sent now without waiting. */
  protected abstract int remainingCapacity();

  @Override
  public final void send(T item) throws InterruptedException {
    put(Objects.requireNonNull(item, "item"), false, 0L);
  }

  @Override
  public final boolean trySend(T item) {
    return offer(Objects.requireNonNull(item, "item"));
  }

  @Override
  public final boolean trySend(T item, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    long nanos = toNanos(Objects.requireNonNull(timeout, "timeout"));
    return nanos <= 0 ? offer(item) : put(item, true, System.nanoTime() + nanos);
  }

  @Override
  public final T receive() throws InterruptedException {
    T item = take(false, 0L);
    assert item != null;
    return item;
  }

  @Override
  public final Optional<T> tryReceive() {
    return Optional.ofNullable(poll());
  }

  @Override
  public final Optional<T> tryReceive(Duration timeout) throws InterruptedException {
    long nanos = toNanos(Objects.requireNonNull(timeout, "timeout"));
    return Optional.ofNullable(nanos <= 0 ? poll() : take(true, System.nanoTime() + nanos));
  }

  @Override
  public final boolean close() {
    return closeWith(null);
  }

  @Override
  public final boolean close(Throwable cause) {
    return closeWith(Objects.requireNonNull(cause, "cause"));
  }

  @Override
  public final Sender<T> openSender() {
    openSenders.incrementAndGet();
    if (isClosedForSend()) {
      openSenders.decrementAndGet();
      throw closedForSend();
    }
    return new ChannelSender();
  }

  @Override
  public final Stream<T> stream() {
    return StreamSupport.stream(new ReceivingSpliterator(), false);
  }

  @Override
  public final BlockingQueue<T> asBlockingQueue() {
    ChannelQueue<T> view = queueView;
    if (view == null) {
      view = new ChannelQueue<>(this);
      queueView = view; // racy but benign: views are stateless
    }
    return view;
  }

  @Override
  public String toString() {
    String state = isClosedForReceive() ? "closed" : isClosedForSend() ? "closing" : "open";
    return getClass().getSimpleName()
        + "[capacity="
        + (capacity() == Integer.MAX_VALUE ? "unbounded" : Integer.toString(capacity()))
        + ", size="
        + size()
        + ", "
        + state
        + "]";
  }

  /** The exception for a send on a closed channel. */
  protected final ChannelClosedException closedForSend() {
    return new ChannelClosedException("channel is closed for send", closeCause());
  }

  /** The exception for a receive on a closed and drained channel. */
  protected final ChannelClosedException closedForReceive() {
    return new ChannelClosedException("channel is closed and drained", closeCause());
  }

  /** Receives without waiting, returning null (not throwing) when closed and drained. */
  final @Nullable T pollQuietly() {
    if (isClosedForReceive()) {
      return null; // the common case after close: no exception to build and catch
    }
    try {
      return poll();
    } catch (ChannelClosedException e) {
      return null;
    }
  }

  private static long toNanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE / 2;
    }
  }

  private final class ChannelSender implements Sender<T> {
    private final AtomicInteger closed = new AtomicInteger();

    @Override
    public void send(T item) throws InterruptedException {
      checkOpen();
      AbstractChannel.this.send(item);
    }

    @Override
    public boolean trySend(T item) {
      checkOpen();
      return AbstractChannel.this.trySend(item);
    }

    @Override
    public void close() {
      if (closed.compareAndSet(0, 1) && openSenders.decrementAndGet() == 0) {
        AbstractChannel.this.close();
      }
    }

    private void checkOpen() {
      if (closed.get() != 0) {
        throw new ChannelClosedException("sender is closed", null);
      }
    }

    @Override
    public String toString() {
      return "Sender[" + (closed.get() != 0 ? "closed" : "open") + "] of " + AbstractChannel.this;
    }
  }

  private final class ReceivingSpliterator extends Spliterators.AbstractSpliterator<T> {
    ReceivingSpliterator() {
      super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
    }

    @Override
    public boolean tryAdvance(Consumer<? super T> action) {
      T item;
      try {
        item = receive();
      } catch (ChannelClosedException e) {
        if (e.getCause() != null) {
          throw e;
        }
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ChannelClosedException("interrupted while receiving from the channel", e);
      }
      action.accept(item);
      return true;
    }
  }
}
