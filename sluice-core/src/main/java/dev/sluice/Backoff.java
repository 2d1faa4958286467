package dev.sluice;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before a retry. {@code delay(1)} is the wait before the second attempt.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10))
 *     .withJitter(0.2);             // 100 ms, 200 ms, 400 ms, ... each +-20%, at most 10 s
 * }</pre>
 */
@FunctionalInterface
public interface Backoff {

  /**
   * The wait before retry number {@code retry}.
   *
   * @param retry 1 for the first retry, 2 for the second, ...
   * @return the delay, never negative
   */
  Duration delay(int retry);

  /**
   * Retry at once.
   *
   * @return a backoff with no delay
   */
  static Backoff none() {
    return retry -> Duration.ZERO;
  }

  /**
   * The same delay before every retry.
   *
   * @param delay the delay, not negative
   * @return the backoff
   */
  static Backoff fixed(Duration delay) {
    requireNotNegative(delay, "delay");
    return retry -> delay;
  }

  /**
   * A delay that doubles with every retry, starting at {@code initial}, capped at {@code max}.
   *
   * @param initial the first delay, positive
   * @param max the largest delay, at least {@code initial}
   * @return the backoff
   */
  static Backoff exponential(Duration initial, Duration max) {
    requireNotNegative(initial, "initial");
    requireNotNegative(max, "max");
    if (initial.isZero()) {
      throw new IllegalArgumentException("initial must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max must be >= initial (" + initial + "): " + max);
    }
    return retry -> {
      int shift = Math.min(Math.max(retry - 1, 0), 30);
      Duration delay = initial.multipliedBy(1L << shift);
      return delay.compareTo(max) > 0 ? max : delay;
    };
  }

  /**
   * This backoff with each delay moved at random by up to {@code fraction} of itself either way.
   *
   * @param fraction between 0 and 1
   * @return the jittered backoff
   */
  default Backoff withJitter(double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be between 0 and 1: " + fraction);
    }
    return retry -> {
      long nanos = delay(retry).toNanos();
      double factor = 1 + fraction * (2 * ThreadLocalRandom.current().nextDouble() - 1);
      return Duration.ofNanos(Math.max(0, (long) (nanos * factor)));
    };
  }

  private static void requireNotNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }
}
