package dev.sluice.tg;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The integers {@code 0..size-1}, counting how many have been pulled, and calling a hook with the
 * new count on every pull (on the pulling thread).
 */
public final class CountingIterator implements Iterator<Integer> {
  private final int size;
  private final AtomicInteger pulled = new AtomicInteger();
  private final IntConsumer onPull;

  public CountingIterator(int size, IntConsumer onPull) {
    this.size = size;
    this.onPull = onPull;
  }

  public CountingIterator(int size) {
    this(size, n -> {});
  }

  @Override
  public boolean hasNext() {
    return pulled.get() < size;
  }

  @Override
  public Integer next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    int n = pulled.incrementAndGet();
    onPull.accept(n);
    return n - 1;
  }

  /** How many inputs have been pulled so far. */
  public int pulled() {
    return pulled.get();
  }
}
