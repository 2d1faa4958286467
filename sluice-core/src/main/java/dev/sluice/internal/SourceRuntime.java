package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Emitter;
import dev.sluice.ErrorPolicy;
import dev.sluice.FailedItem;
import dev.sluice.Pipeline;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The source of a running pipeline. {@code received} counts items pulled or produced.
 *
 * <p><b>Implementation overview.</b> An iterable, iterator or stream is pulled by one worker, so
 * the user's iterator is never used by two threads; producers run one per worker, each with its own
 * counter cell. An item whose send fails because the run stopped is counted as discarded where it
 * fails. {@code pulled} (volatile) tells {@link IteratorSource#settle()} whether the worker ever
 * ran, so that a stream is closed exactly once either way.
 */
abstract class SourceRuntime extends StageRuntime {

  SourceRuntime(PipelineRun<?> run, int index, StageSpec spec, @Nullable Channel<Object> output) {
    super(run, index, spec, null, output);
  }

  /**
   * Sends a source item downstream, counting it; a send refused because the run stopped discards it
   * and rethrows.
   */
  final void emitFromSource(Object item, StageCounters.Cell cell) throws InterruptedException {
    cell.received();
    try {
      send(Objects.requireNonNull(output), item);
    } catch (InterruptedException | ChannelClosedException e) {
      discard(item, cell);
      throw e;
    }
    cell.emitted();
    cell.succeeded();
  }

  /** An iterable, iterator or stream, pulled by one worker. */
  static final class IteratorSource extends SourceRuntime {

    IteratorSource(
        PipelineRun<?> run, int index, StageSpec spec, @Nullable Channel<Object> output) {
      super(run, index, spec, output);
    }

    @Override
    void start() {
      startWorkers(1, this::pull);
    }

    /** Whether {@link #pull} ran; if not (stopped first), {@link #settle} closes a stream. */
    private volatile boolean pulled;

    @Override
    void settle() {
      if (!pulled && spec.fn() instanceof Stream<?> stream) {
        try {
          stream.close();
        } catch (Throwable t) {
          run.lateFailure(t);
        }
      }
    }

    private void pull() {
      pulled = true;
      Object source = Objects.requireNonNull(spec.fn());
      @Nullable Stream<?> stream = source instanceof Stream<?> s ? s : null;
      Object current = null;
      StageCounters.Cell cell = counters.newCell();
      try {
        Iterator<?> it =
            stream != null
                ? stream.iterator()
                : source instanceof Iterable<?> iterable
                    ? iterable.iterator()
                    : (Iterator<?>) source;
        while (!run.isStopping() && it.hasNext()) {
          current = it.next();
          if (current == null) {
            throw new NullPointerException("the source produced a null item");
          }
          Object item = current;
          current = null;
          emitFromSource(item, cell);
        }
      } catch (InterruptedException | ChannelClosedException e) {
        // Stopping: the item in hand was discarded by emitFromSource.
      } catch (Throwable t) {
        if (run.isStopping()) {
          run.lateFailure(t);
        } else {
          run.fail(name, null, t);
        }
      } finally {
        if (stream != null) {
          try {
            stream.close();
          } catch (Throwable t) {
            run.fail(name, null, t);
          }
        }
      }
    }
  }

  /** A channel the first stage receives from directly: no thread of its own. */
  static final class ChannelSource extends SourceRuntime {

    ChannelSource(PipelineRun<?> run, int index, StageSpec spec, @Nullable Channel<Object> output) {
      super(run, index, spec, output);
    }

    @Override
    void start() {
      markStarted();
      // The first stage reads the channel itself; this source ends at once.
      endStage();
    }

    @Override
    void endStage() {
      markEnded(); // the channel belongs to the user: never close it here
    }
  }

  /** A pool of producers; the source ends when all have returned. */
  static final class ProducerSource extends SourceRuntime {

    ProducerSource(
        PipelineRun<?> run, int index, StageSpec spec, @Nullable Channel<Object> output) {
      super(run, index, spec, output);
    }

    @Override
    void start() {
      @SuppressWarnings("unchecked")
      Pipeline.Producer<Object> producer =
          (Pipeline.Producer<Object>) Objects.requireNonNull(spec.fn());
      int producers = options.workers();
      AtomicInteger nextIndex = new AtomicInteger();
      startWorkers(
          producers,
          () -> {
            StageCounters.Cell cell = counters.newCell();
            Emitter<Object> emitter = item -> emitFromSource(requireItem(item), cell);
            produce(producer, nextIndex.getAndIncrement(), emitter, cell);
          });
    }

    private void produce(
        Pipeline.Producer<Object> producer,
        int i,
        Emitter<Object> emitter,
        StageCounters.Cell cell) {
      try {
        producer.produce(i, emitter);
      } catch (Throwable t) {
        if (run.isStopping()) {
          run.lateFailure(t);
          return;
        }
        ErrorPolicy policy = options.errorPolicy();
        cell.failed();
        if (policy instanceof ErrorPolicy.DeadLetter deadLetter) {
          try {
            deadLetter.sink().accept(new FailedItem("producer " + i, name, t, 1));
          } catch (Throwable sinkFailure) {
            sinkFailure.addSuppressed(t);
            run.fail(name, "producer " + i, sinkFailure);
          }
        } else if (!(policy instanceof ErrorPolicy.Skip)) {
          run.fail(name, "producer " + i, t);
        }
      }
    }
  }
}
