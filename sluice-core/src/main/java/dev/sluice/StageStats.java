package dev.sluice;

import java.time.Duration;

/**
 * A snapshot of one stage's counters. Live while the pipeline runs; exact once it has ended.
 *
 * <p>Accounting: every item that entered a stage's input (what the stage before it {@linkplain
 * #emitted() emitted}, plus its own {@linkplain #followUps() follow-ups}) ends in exactly one of
 * {@link #succeeded()}, {@link #filtered()}, {@link #failed()} or {@link #discarded()}, once the
 * pipeline has ended. For the source, {@link #received()} counts items pulled from it.
 *
 * @param name the stage's name
 * @param kind what the stage does: {@code source}, {@code map}, {@code flatMap}, {@code filter},
 *     {@code expand}, {@code batch}, {@code forEach}, {@code toList} or {@code into}
 * @param workers the stage's worker count
 * @param received items taken from the input (for the source: pulled from it)
 * @param succeeded items processed without failure (their outputs, if any, emitted)
 * @param emitted items sent downstream (for a terminal stage: delivered)
 * @param filtered items a filter dropped
 * @param failed items given up on under the stage's error policy
 * @param retried retry attempts made
 * @param discarded items dropped because the pipeline was cancelled or failed: left in the input
 *     channel, or in a worker's hands
 * @param followUps follow-up items added by an {@code expand} stage
 * @param queued items waiting in the stage's input now
 * @param capacity the input's capacity
 * @param busyWorkers workers processing an item now (not waiting for input or for room downstream)
 * @param busyTime worker time spent processing, summed over the workers
 * @param blockedTime worker time spent waiting for room downstream, summed over the workers
 * @param elapsed time since the stage started (until it ended, once it has)
 */
public record StageStats(
    String name,
    String kind,
    int workers,
    long received,
    long succeeded,
    long emitted,
    long filtered,
    long failed,
    long retried,
    long discarded,
    long followUps,
    int queued,
    int capacity,
    int busyWorkers,
    Duration busyTime,
    Duration blockedTime,
    Duration elapsed) {

  /**
   * Items the stage took up: those received from its input plus, for an {@code expand} stage, its
   * own follow-ups.
   *
   * @return {@code received + followUps}
   */
  public long taken() {
    return received + followUps;
  }

  /**
   * Items {@linkplain #taken() taken up} per second over the stage's life so far.
   *
   * @return the throughput, 0 before any time has passed
   */
  public double throughput() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? taken() / seconds : 0;
  }

  /**
   * The fraction of the workers' time spent processing: 1 means every worker was busy all along.
   *
   * @return the utilisation, between 0 and 1
   */
  public double utilisation() {
    double capacityNanos = (double) workers * elapsed.toNanos();
    return capacityNanos > 0 ? Math.min(1, busyTime.toNanos() / capacityNanos) : 0;
  }
}
