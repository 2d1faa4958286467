package dev.sluice.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stage's rate limit, shared by its workers: at most {@code burst} starts in any window of {@code
 * burst * interval}, counted on the times starts were actually granted.
 *
 * <p><b>Implementation overview.</b> {@code grants} is a ring of the last {@code burst} grant times
 * ({@code granted} says how many of its slots are in use). A start is granted at time {@code now}
 * only if fewer than {@code burst} starts were granted so far, or the oldest of the last {@code
 * burst} grants is at least a window before {@code now}; the grant then replaces that oldest time.
 * Both the check and the update happen under {@code lock}, after the waiter woke, so a waiter woken
 * late by the OS cannot start right behind the previous start: the bound holds for real start
 * times, not for a schedule. A waiter sleeps outside the lock until the oldest grant leaves the
 * window, then checks again. With {@code burst == 1} consecutive starts are at least {@code
 * interval} apart.
 */
final class RateLimiter {

  private final long window;
  private final long[] grants;
  private final ReentrantLock lock = new ReentrantLock();
  private int oldest;
  private long granted;

  RateLimiter(double perSecond, int burst) {
    long interval = Math.max(1, (long) Math.ceil(1e9 / perSecond));
    this.window = interval * burst;
    this.grants = new long[burst];
  }

  /**
   * Waits until a start is allowed and takes it.
   *
   * @param counters where the wait is timed as idle
   * @throws InterruptedException if interrupted while waiting
   */
  void acquire(StageCounters counters) throws InterruptedException {
    boolean waited = false;
    long waitStart = 0;
    try {
      while (true) {
        long wait;
        lock.lockInterruptibly();
        try {
          long now = System.nanoTime();
          if (granted < grants.length || now - grants[oldest] >= window) {
            grants[oldest] = now;
            oldest = (oldest + 1) % grants.length;
            granted++;
            return;
          }
          wait = grants[oldest] + window - now;
        } finally {
          lock.unlock();
        }
        if (!waited) {
          waited = true;
          waitStart = counters.idleStarted();
        }
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    } finally {
      if (waited) {
        counters.idleEnded(waitStart);
      }
    }
  }
}
