package dev.sluice.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Bounded backoff for the short waits on another thread's progress (a sender that has claimed a
 * slot and is about to fill it): a few busy spins, then yields, then parks with a growing bound.
 */
final class Spin {
  /** Whether brief busy-spinning can pay off: only with more than one processor. */
  static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

  private static final int SPINS = 64;
  private static final int YIELDS = SPINS + 16;
  private static final long MAX_PARK_NANOS = 1_000_000L;

  private Spin() {}

  /**
   * Waits a little; the wait grows with {@code attempt} (0, 1, 2, ...) from a spin to a park of at
   * most a millisecond.
   */
  static void pause(int attempt) {
    if (attempt < SPINS && MULTICORE) {
      Thread.onSpinWait();
    } else if (attempt < YIELDS) {
      Thread.yield();
    } else {
      LockSupport.parkNanos(Math.min(1_000L << Math.min(attempt - YIELDS, 10), MAX_PARK_NANOS));
    }
  }
}
