package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one running stage.
 *
 * <p>Item counters live in per-worker {@link Cell}s, bumped without atomics on the fast path. Time
 * is kept without a clock read per item: a worker loop's life is busy except while it waits (for
 * input, for room downstream, for a rate limit or a retry backoff), and waits are timed only on the
 * slow path, when a non-blocking attempt failed first. Ongoing lives and waits are kept as a count
 * and a sum of start times, so a live snapshot includes them: {@code count * now - sumOfStarts}. In
 * an expand stage, which runs one task per item, each task is a life; its intake thread is not
 * timed.
 *
 * <p><b>Implementation overview.</b> State: the cells (one per worker, plus the shared one) and
 * three {@code Span}s (lives, idle waits, blocked waits). Invariant: a worker's cell is written by
 * that worker only, so a plain read plus an opaque write never loses an update; every other writer
 * uses the shared cell's atomic add. Spans use atomics throughout (they are touched on slow paths
 * only).
 *
 * <p>Snapshots taken while the stage runs read the fields one by one and may be slightly
 * inconsistent (clamped to be non-negative); once every worker has ended (a happens-before edge
 * through the stage's task group) they are exact.
 */
final class StageCounters {

  /**
   * The item counters of one worker, or the shared cell for other threads. A worker's cell has one
   * writer, which bumps a field with a plain read and an opaque write: no atomic instruction on the
   * per-item path and no contention between workers. The shared cell (stop, settle, expand tasks on
   * the group's threads) adds atomically. Readers sum the cells with opaque reads.
   */
  static final class Cell {
    private static final VarHandle RECEIVED = handle("received");
    private static final VarHandle SUCCEEDED = handle("succeeded");
    private static final VarHandle EMITTED = handle("emitted");
    private static final VarHandle FILTERED = handle("filtered");
    private static final VarHandle FAILED = handle("failed");
    private static final VarHandle RETRIED = handle("retried");
    private static final VarHandle DISCARDED = handle("discarded");
    private static final VarHandle FOLLOW_UPS = handle("followUps");

    private final boolean shared;
    private long received;
    private long succeeded;
    private long emitted;
    private long filtered;
    private long failed;
    private long retried;
    private long discarded;
    private long followUps;

    private Cell(boolean shared) {
      this.shared = shared;
    }

    private static VarHandle handle(String field) {
      try {
        return MethodHandles.lookup().findVarHandle(Cell.class, field, long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private void add(VarHandle field, long n) {
      if (shared) {
        field.getAndAdd(this, n);
      } else {
        field.setOpaque(this, (long) field.get(this) + n); // one writer: this worker
      }
    }

    void received() {
      add(RECEIVED, 1);
    }

    void succeeded() {
      add(SUCCEEDED, 1);
    }

    void succeeded(long n) {
      add(SUCCEEDED, n);
    }

    void emitted() {
      add(EMITTED, 1);
    }

    void filtered() {
      add(FILTERED, 1);
    }

    void failed() {
      add(FAILED, 1);
    }

    void retried() {
      add(RETRIED, 1);
    }

    void discarded() {
      add(DISCARDED, 1);
    }

    void followUp() {
      add(FOLLOW_UPS, 1);
    }
  }

  /** The cell for threads that are not a stage's workers. */
  final Cell shared = new Cell(true);

  private final List<Cell> cells = new CopyOnWriteArrayList<>(List.of(shared));

  /** A new cell for one worker, to be bumped by that worker's thread only. */
  Cell newCell() {
    Cell cell = new Cell(false);
    cells.add(cell);
    return cell;
  }

  private long sum(VarHandle field) {
    long sum = 0;
    for (Cell cell : cells) {
      sum += (long) field.getOpaque(cell);
    }
    return sum;
  }

  long received() {
    return sum(Cell.RECEIVED);
  }

  long succeeded() {
    return sum(Cell.SUCCEEDED);
  }

  long emitted() {
    return sum(Cell.EMITTED);
  }

  long filtered() {
    return sum(Cell.FILTERED);
  }

  long failed() {
    return sum(Cell.FAILED);
  }

  long retried() {
    return sum(Cell.RETRIED);
  }

  long discarded() {
    return sum(Cell.DISCARDED);
  }

  long followUps() {
    return sum(Cell.FOLLOW_UPS);
  }

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
