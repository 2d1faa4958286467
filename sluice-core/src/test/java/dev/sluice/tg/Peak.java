package dev.sluice.tg;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the tasks executing user code right now and remembers the largest count seen. A task calls
 * {@link #enter()} when its code starts and {@link #exit()} when it ends, and brackets every wait
 * for another task with {@code exit()} before and {@code enter()} after, so that time spent inside
 * a wait is not counted.
 */
public final class Peak {
  private final AtomicInteger now = new AtomicInteger();
  private final AtomicInteger max = new AtomicInteger();

  public void enter() {
    int n = now.incrementAndGet();
    max.accumulateAndGet(n, Math::max);
  }

  public void exit() {
    int n = now.decrementAndGet();
    if (n < 0) {
      throw new AssertionError("exit() without enter()");
    }
  }

  /** The largest number of tasks seen executing at once. */
  public int max() {
    return max.get();
  }

  /** The number executing now. */
  public int now() {
    return now.get();
  }
}
