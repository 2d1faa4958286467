package dev.sluice.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A smooth rate limit shared by a stage's workers: the generic cell rate algorithm. Each start
 * reserves the next slot of a schedule with one slot every {@code interval}; a start may run up to
 * {@code (burst - 1) * interval} ahead of the schedule, which allows {@code burst} back-to-back
 * starts after an idle spell and never more. Waiters sleep until their reserved slot, so the
 * reservations are fair (first come, first served) and no thread spins.
 */
final class RateLimiter {

  private final long interval;
  private final long tolerance;

  /** The theoretical arrival time of the next start (System.nanoTime based). */
  private final AtomicLong next = new AtomicLong(System.nanoTime());

  RateLimiter(double perSecond, int burst) {
    this.interval = Math.max(1, (long) (1e9 / perSecond));
    this.tolerance = (burst - 1) * interval;
  }

  /**
   * Reserves a start and waits until it is due.
   *
   * @param counters where the wait is timed as idle
   * @throws InterruptedException if interrupted while waiting (the reservation is lost, which only
   *     slows later starts down)
   */
  void acquire(StageCounters counters) throws InterruptedException {
    long now = System.nanoTime();
    long allowedAt;
    while (true) {
      long tat = next.get();
      long base = tat - now > 0 ? tat : now;
      if (next.compareAndSet(tat, base + interval)) {
        allowedAt = base - tolerance;
        break;
      }
    }
    long wait = allowedAt - now;
    if (wait > 0) {
      long started = counters.idleStarted();
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } finally {
        counters.idleEnded(started);
      }
    }
  }
}
