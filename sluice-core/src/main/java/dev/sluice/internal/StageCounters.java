package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one running stage.
 *
 * <p>Item counters are {@link LongAdder}s, bumped once per item on the fast path. Time is kept
 * without a clock read per item: a worker loop's life is busy except while it waits (for input, for
 * room downstream, for a rate limit or a retry backoff), and waits are timed only on the slow path,
 * when a non-blocking attempt failed first. Ongoing lives and waits are kept as a count and a sum
 * of start times, so a live snapshot includes them: {@code count * now - sumOfStarts}. In an expand
 * stage, which runs one task per item, each task is a life; its intake thread is not timed.
 *
 * <p>Snapshots taken while the stage runs read the fields one by one and may be slightly
 * inconsistent (clamped to be non-negative); once every worker has ended (a happens-before edge
 * through the stage's task group) they are exact.
 */
final class StageCounters {

  final LongAdder received = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder emitted = new LongAdder();
  final LongAdder filtered = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder discarded = new LongAdder();
  final LongAdder followUps = new LongAdder();

  private final Span lives = new Span();
  private final Span idle = new Span();
  private final Span blocked = new Span();

  /** A set of intervals: those that ended (summed) and those still open. */
  private static final class Span {
    final LongAdder ended = new LongAdder();
    final AtomicInteger open = new AtomicInteger();
    final AtomicLong openStarts = new AtomicLong();

    long begin() {
      long now = System.nanoTime();
      openStarts.addAndGet(now);
      open.incrementAndGet();
      return now;
    }

    void end(long start) {
      long now = System.nanoTime();
      ended.add(now - start);
      open.decrementAndGet();
      openStarts.addAndGet(-start);
    }

    long total(long now) {
      return ended.sum() + (open.get() * now - openStarts.get());
    }
  }

  long workerStarted() {
    return lives.begin();
  }

  void workerEnded(long start) {
    lives.end(start);
  }

  long idleStarted() {
    return idle.begin();
  }

  void idleEnded(long start) {
    idle.end(start);
  }

  long blockedStarted() {
    return blocked.begin();
  }

  void blockedEnded(long start) {
    blocked.end(start);
  }

  long busyNanos(long now) {
    return Math.max(0, lives.total(now) - idle.total(now) - blocked.total(now));
  }

  long blockedNanos(long now) {
    return Math.max(0, blocked.total(now));
  }

  int busyWorkers() {
    return Math.max(0, lives.open.get() - idle.open.get() - blocked.open.get());
  }
}
