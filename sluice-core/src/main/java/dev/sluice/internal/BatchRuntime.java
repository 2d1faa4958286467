package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@code batch} stage: each worker fills a list until it holds {@code size} items, or {@code
 * maxWait} has passed since its first item, or the input ends, and then emits it. In an ordered
 * batch stage a worker fills and emits its list under one lock, so batches hold consecutive items
 * and leave in input order.
 *
 * <p><b>Implementation overview.</b> A batch is local to the worker filling it; nothing is shared
 * but the channels and, when ordered, {@code orderLock}. Every item in a batch that cannot be
 * emitted because the run stopped is counted as discarded; a stray interrupt (run not stopping)
 * emits what the batch holds.
 */
final class BatchRuntime extends StageRuntime {

  private final int size;
  private final long maxWaitNanos;
  private final @Nullable ReentrantLock orderLock;

  BatchRuntime(
      PipelineRun<?> run,
      int index,
      StageSpec spec,
      @Nullable Channel<Object> input,
      @Nullable Channel<Object> output) {
    super(run, index, spec, input, output);
    this.size = spec.batchSize();
    this.maxWaitNanos = spec.maxWaitNanos();
    this.orderLock = options.orderWindow() > 0 ? new ReentrantLock() : null;
  }

  @Override
  void start() {
    startWorkers(options.workers(), this::loop);
  }

  private void loop() {
    StageCounters.Cell cell = counters.newCell();
    while (true) {
      ReentrantLock order = orderLock;
      try {
        if (order != null) {
          order.lockInterruptibly();
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (!fillAndEmit(cell)) {
          return;
        }
      } finally {
        if (order != null) {
          order.unlock();
        }
      }
    }
  }

  /** Fills one batch and emits it; false when the worker must exit. */
  private boolean fillAndEmit(StageCounters.Cell cell) {
    Channel<Object> in = Objects.requireNonNull(input);
    List<Object> batch = new ArrayList<>(Math.min(size, 1024));
    boolean ended = false;
    try {
      batch.add(take(cell));
      long deadline = System.nanoTime() + maxWaitNanos;
      while (batch.size() < size) {
        Object item = poll(in);
        if (item == null) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          long started = counters.idleStarted();
          try {
            item = in.tryReceive(Duration.ofNanos(left)).orElse(null);
          } finally {
            counters.idleEnded(started);
          }
          if (item == null) {
            break;
          }
        }
        cell.received();
        batch.add(item);
      }
    } catch (ChannelClosedException e) {
      ended = true;
      if (batch.isEmpty() || run.isStopping()) {
        discardAll(batch, cell);
        return false;
      }
    } catch (InterruptedException e) {
      if (run.isStopping()) {
        discardAll(batch, cell);
        return false;
      }
      if (batch.isEmpty()) {
        return true;
      }
      // A stray interrupt, not a cancel: emit what there is.
    }
    try {
      send(Objects.requireNonNull(output), batch);
    } catch (InterruptedException | ChannelClosedException e) {
      discardAll(batch, cell);
      return false;
    }
    cell.emitted();
    cell.succeeded(batch.size());
    return !ended;
  }

  private void discardAll(List<Object> batch, StageCounters.Cell cell) {
    for (Object item : batch) {
      discard(item, cell);
    }
  }
}
