package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Emitter;
import dev.sluice.ErrorPolicy;
import dev.sluice.Pipeline;
import dev.sluice.internal.PipelineSpec.Kind;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A stage whose workers loop: take an item, run the function, emit. Used for {@code map}, {@code
 * flatMap}, {@code filter} and the terminals {@code forEach}, {@code toList} and {@code into}.
 *
 * <p><b>Implementation overview.</b> Three intakes: direct (each worker receives from the input
 * channel), ordered (a {@link Reorderer} numbers items as they are taken and emits results in that
 * order) and keyed (a {@link KeyedIntake} keeps one item per key in flight); each documents its own
 * locking. A worker's state is local to its loop: its counter cell, its emitter and the item in
 * hand; the only shared state here is the {@code toList} list, written by its single worker and
 * read by the supervisor after that worker's thread ended. A worker exits on end of input, on an
 * {@link Outcome#STOP}, or when it finds itself interrupted while the run is stopping; a stray
 * interrupt (run not stopping) is cleared between items.
 */
final class LoopRuntime extends StageRuntime {

  private final @Nullable Reorderer reorderer;
  private final @Nullable KeyedIntake keyed;
  private final Attempt attempt;
  private final boolean bufferAttempts;
  private final @Nullable Channel<Object> target;
  private final @Nullable ArrayList<Object> list;

  @SuppressWarnings("unchecked")
  LoopRuntime(
      PipelineRun<?> run,
      int index,
      StageSpec spec,
      @Nullable Channel<Object> input,
      @Nullable Channel<Object> output) {
    super(run, index, spec, input, output);
    int window = options.orderWindow();
    this.reorderer = window > 0 && !kind.isTerminal() ? new Reorderer(this, window) : null;
    Function<Object, ?> key = options.key();
    this.keyed = key != null ? new KeyedIntake(this, key, options.capacity()) : null;
    this.bufferAttempts =
        kind == Kind.FLAT_MAP && options.errorPolicy() instanceof ErrorPolicy.Retry;
    this.target = kind == Kind.INTO ? (Channel<Object>) Objects.requireNonNull(spec.fn()) : null;
    this.list = kind == Kind.TO_LIST ? new ArrayList<>() : null;
    this.attempt = attemptFor(kind, spec.fn());
  }

  @SuppressWarnings("unchecked")
  private Attempt attemptFor(Kind kind, @Nullable Object fn) {
    return switch (kind) {
      case MAP -> {
        var f = (Pipeline.ItemFunction<Object, Object>) Objects.requireNonNull(fn);
        yield (item, out) -> {
          Object result = f.apply(item);
          if (result == null) {
            throw new NullPointerException(
                "the map function of stage '"
                    + name
                    + "' returned null for "
                    + PipelineRun.describe(item));
          }
          out.emit(result);
          return true;
        };
      }
      case FLAT_MAP -> {
        var f = (Pipeline.FlatMapper<Object, Object>) Objects.requireNonNull(fn);
        yield (item, out) -> {
          if (bufferAttempts) {
            Buffer buffer = new Buffer();
            f.apply(item, buffer);
            for (Object o : buffer.items) {
              out.emit(o);
            }
          } else {
            f.apply(item, out);
          }
          return true;
        };
      }
      case FILTER -> {
        var f = (Pipeline.ItemPredicate<Object>) Objects.requireNonNull(fn);
        yield (item, out) -> {
          if (!f.test(item)) {
            return false;
          }
          out.emit(item);
          return true;
        };
      }
      case FOR_EACH -> {
        var f = (Pipeline.ItemConsumer<Object>) Objects.requireNonNull(fn);
        yield (item, out) -> {
          f.accept(item);
          return true;
        };
      }
      case TO_LIST ->
          (item, out) -> {
            Objects.requireNonNull(list).add(item);
            return true;
          };
      case INTO ->
          (item, out) -> {
            send(Objects.requireNonNull(target), item);
            return true;
          };
      default -> throw new IllegalArgumentException("not a loop stage: " + kind);
    };
  }

  @Override
  void start() {
    int workers = kind == Kind.TO_LIST || kind == Kind.INTO ? 1 : options.workers();
    if (reorderer != null) {
      startWorkers(workers, this::orderedLoop);
    } else if (keyed != null) {
      startWorkers(workers, this::keyedLoop);
    } else {
      startWorkers(workers, this::directLoop);
    }
  }

  /** Where a worker's outputs go: downstream, counted in its cell (terminals have none). */
  private Emitter<Object> outputFor(StageCounters.Cell cell) {
    return output != null
        ? direct(cell)
        : item -> {
          throw new IllegalStateException("stage '" + name + "' is terminal: it emits nothing");
        };
  }

  private void directLoop() {
    StageCounters.Cell cell = counters.newCell();
    Emitter<Object> out = outputFor(cell);
    while (true) {
      Object item;
      try {
        item = take(cell);
      } catch (ChannelClosedException | InterruptedException e) {
        if (e instanceof InterruptedException && !run.isStopping()) {
          continue; // a stray interrupt; the flag is already cleared
        }
        return;
      }
      if (!count(handle(item, attempt, out, cell), cell)) {
        return;
      }
    }
  }

  /** Counts an outcome; false when the worker must exit. */
  private boolean count(Outcome outcome, StageCounters.Cell cell) {
    switch (outcome) {
      case PASSED -> {
        cell.succeeded();
        if (kind.isTerminal()) {
          cell.emitted();
        }
      }
      case FILTERED -> cell.filtered();
      case FAILED -> {}
      case STOP -> {
        return false;
      }
    }
    if (Thread.interrupted() && run.isStopping()) {
      return false;
    }
    return true;
  }

  private void keyedLoop() {
    KeyedIntake intake = Objects.requireNonNull(keyed);
    StageCounters.Cell cell = counters.newCell();
    Emitter<Object> out = outputFor(cell);
    KeyedIntake.@Nullable Taken taken = null;
    while (true) {
      if (taken == null) {
        try {
          taken = intake.take(cell);
        } catch (ChannelClosedException | InterruptedException e) {
          if (e instanceof InterruptedException && !run.isStopping()) {
            continue;
          }
          return;
        } catch (KeyedIntake.KeyFailure e) {
          cell.failed();
          run.fail(name, e.item, Objects.requireNonNull(e.getCause()));
          return;
        }
      }
      Object key = taken.key();
      if (!count(handle(taken.item(), attempt, out, cell), cell)) {
        return; // the key stays held: settle() discards what is parked behind it
      }
      taken = intake.continueOrRelease(key);
    }
  }

  private void orderedLoop() {
    Reorderer order = Objects.requireNonNull(reorderer);
    StageCounters.Cell cell = counters.newCell();
    Emitter<Object> out = outputFor(cell);
    while (true) {
      Reorderer.Slot slot;
      try {
        slot = order.take(cell);
      } catch (ChannelClosedException | InterruptedException e) {
        if (e instanceof InterruptedException && !run.isStopping()) {
          continue;
        }
        return;
      }
      Buffer buffer = new Buffer();
      Outcome outcome = handle(slot.item, attempt, buffer, cell);
      switch (outcome) {
        case PASSED, FAILED -> slot.outputs = buffer.items;
        case FILTERED -> cell.filtered();
        case STOP -> {
          return; // the item is accounted for; its slot stays empty, which only a stopping run sees
        }
      }
      if (!order.complete(slot, outcome == Outcome.PASSED, out, cell)) {
        return;
      }
    }
  }

  /**
   * Emits an ordered item's outputs, in order; called by the {@link Reorderer}'s flusher.
   *
   * @return false if the run stopped (a passed item is then discarded; a failed one stays failed)
   */
  boolean deliver(
      Object item,
      List<Object> outputs,
      boolean passed,
      Emitter<Object> out,
      StageCounters.Cell cell) {
    try {
      for (Object o : outputs) {
        out.emit(o);
      }
    } catch (InterruptedException | ChannelClosedException e) {
      if (passed) {
        discard(item, cell);
      }
      return false;
    }
    if (passed) {
      cell.succeeded();
    }
    return true;
  }

  @Override
  void endStage() {
    Channel<Object> into = target;
    if (into != null && !run.isStopping()) {
      into.close(); // when stopping, stop() has closed it with the cause
    }
    super.endStage();
  }

  @Override
  void stop(Throwable cause) {
    super.stop(cause);
    Channel<Object> into = target;
    if (into != null) {
      into.close(cause);
    }
  }

  @Override
  void settle() {
    if (reorderer != null) {
      reorderer.settle();
    }
    if (keyed != null) {
      keyed.settle();
    }
  }

  @Override
  @Nullable Object value() {
    return list;
  }
}
