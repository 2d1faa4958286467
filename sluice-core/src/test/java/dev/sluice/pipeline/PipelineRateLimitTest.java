package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.on;
import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Pipeline;
import dev.sluice.Stage;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Stage#rateLimit(double, int)}: upper bounds on how fast items start. Each start time is
 * read with {@link System#nanoTime()} as the function begins, which is at or after the moment the
 * limiter let the item go; a slow machine only makes starts later, so an upper bound on the rate
 * holds however loaded the machine is.
 *
 * <p>Two kinds of bound. The one from the pipeline's start is exact: the limiter's schedule begins
 * no earlier than the test's clock reading before {@code run()}, gives one slot per interval, and
 * lets a start run at most {@code burst - 1} slots ahead, so the k-th start (from 0) comes no
 * earlier than {@code (k - burst + 1)} intervals after that reading. Sliding windows between two
 * recorded starts are not exact in the same way: if the OS wakes the earlier start late, the later
 * one, woken on time, can be closer to it than its schedule says. Those checks therefore allow a
 * slack of a quarter interval for late wake-ups (not for the limiter), at a rate slow enough
 * (interval 20 ms) that this slack is small against the bound.
 */
@ExtendWith(ThreadLeakExtension.class)
class PipelineRateLimitTest {

  private static final long SECOND = 1_000_000_000L;

  /** Runs {@code n} items through a rate-limited stage; returns the sorted start times. */
  private static long[] startTimes(ThreadKind kind, int workers, double perSecond, int burst, int n)
      throws Exception {
    long[] starts = new long[n];
    AtomicInteger next = new AtomicInteger();
    Pipeline.from(range(n))
        .map(
            "limited",
            on(kind, Stage.workers(workers)).rateLimit(perSecond, burst),
            x -> {
              starts[next.getAndIncrement()] = System.nanoTime();
              return x;
            })
        .forEach("t", 1, x -> {})
        .run();
    assertThat(next.get()).isEqualTo(n);
    Arrays.sort(starts);
    return starts;
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void noStartComesBeforeItsSlotCountedFromThePipelinesStart(ThreadKind kind) throws Exception {
    double perSecond = 200;
    int burst = 4;
    int n = 80;
    long interval = (long) (SECOND / perSecond);
    long before = System.nanoTime();
    long[] starts = startTimes(kind, 4, perSecond, burst, n);
    for (int k = burst - 1; k < n; k++) {
      long earliest = before + (k - burst + 1) * interval;
      assertThat(starts[k] - earliest)
          .as("start %d is %d ns before its earliest slot", k, earliest - starts[k])
          .isGreaterThanOrEqualTo(0);
    }
  }

  /**
   * The documented promise: after an idle spell up to {@code burst} items may start at once, "and
   * never more in any window of burst / perSecond seconds".
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void noWindowOfBurstOverPerSecondHoldsMoreThanBurstStarts(ThreadKind kind) throws Exception {
    double perSecond = 50;
    int burst = 4;
    int n = 30;
    long interval = (long) (SECOND / perSecond);
    long window = burst * interval;
    long slack = interval / 4;
    long[] starts = startTimes(kind, 4, perSecond, burst, n);
    for (int i = 0; i + burst < n; i++) {
      assertThat(starts[i + burst] - starts[i])
          .as(
              "starts %d to %d (%d starts) fall within %d ms, less than a window of %d ms;"
                  + " start offsets in ms: %s",
              i,
              i + burst,
              burst + 1,
              (starts[i + burst] - starts[i]) / 1_000_000,
              window / 1_000_000,
              offsetsMillis(starts))
          .isGreaterThanOrEqualTo(window - slack);
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void withBurstOneConsecutiveStartsAreAnIntervalApart(ThreadKind kind) throws Exception {
    double perSecond = 50;
    int n = 25;
    long interval = (long) (SECOND / perSecond);
    long slack = interval / 4;
    for (int workers : new int[] {1, 4}) {
      long[] starts = startTimes(kind, workers, perSecond, 1, n);
      for (int i = 0; i + 1 < n; i++) {
        assertThat(starts[i + 1] - starts[i])
            .as(
                "%d workers: gap between starts %d and %d; start offsets in ms: %s",
                workers, i, i + 1, offsetsMillis(starts))
            .isGreaterThanOrEqualTo(interval - slack);
      }
    }
  }

  private static String offsetsMillis(long[] starts) {
    StringBuilder s = new StringBuilder("[");
    for (long t : starts) {
      s.append(s.length() > 1 ? ", " : "").append((t - starts[0]) / 1_000_000);
    }
    return s.append(']').toString();
  }
}
