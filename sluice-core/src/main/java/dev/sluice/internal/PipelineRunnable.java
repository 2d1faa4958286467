package dev.sluice.internal;

import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.ProgressListener;
import dev.sluice.RunnablePipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** A complete pipeline spec with its run options. Immutable. */
final class PipelineRunnable<R> implements RunnablePipeline<R> {

  /** A progress listener and its period. */
  record Listener(long periodNanos, ProgressListener listener) {}

  /** Run options. */
  record Options(
      @Nullable Duration timeout,
      List<Listener> listeners,
      @Nullable BiConsumer<String, Object> onDiscard) {
    static final Options DEFAULT = new Options(null, List.of(), null);
  }

  private final PipelineSpec spec;
  private final Options options;

  PipelineRunnable(PipelineSpec spec, Options options) {
    this.spec = spec;
    this.options = options;
  }

  @Override
  public PipelineResult<R> run() throws InterruptedException {
    return new PipelineRun<R>(spec, options).runOnCaller();
  }

  @Override
  public PipelineHandle<R> start() {
    PipelineRun<R> run = new PipelineRun<>(spec, options);
    run.startInBackground();
    return run;
  }

  @Override
  public RunnablePipeline<R> timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new PipelineRunnable<>(
        spec, new Options(timeout, options.listeners(), options.onDiscard()));
  }

  @Override
  public RunnablePipeline<R> progress(Duration period, ProgressListener listener) {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(listener, "listener");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
    List<Listener> listeners = new ArrayList<>(options.listeners());
    listeners.add(new Listener(period.toNanos(), listener));
    return new PipelineRunnable<>(
        spec, new Options(options.timeout(), List.copyOf(listeners), options.onDiscard()));
  }

  @Override
  public RunnablePipeline<R> onDiscard(BiConsumer<String, Object> listener) {
    Objects.requireNonNull(listener, "listener");
    BiConsumer<String, Object> before = options.onDiscard();
    BiConsumer<String, Object> combined = before == null ? listener : before.andThen(listener);
    return new PipelineRunnable<>(
        spec, new Options(options.timeout(), options.listeners(), combined));
  }

  @Override
  public String toString() {
    return "RunnablePipeline" + spec;
  }
}
