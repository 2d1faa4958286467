package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.Pipeline;
import dev.sluice.RunnablePipeline;
import dev.sluice.Stage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The immutable description of a pipeline: its source and its stages in order. {@link Pipeline}
 * builds one; {@link PipelineRun} runs it.
 */
public final class PipelineSpec {

  /** What a stage (or the source) does. */
  public enum Kind {
    /** An iterable, iterator or stream source. */
    ITERATOR("source"),
    /** A channel source. */
    CHANNEL("source"),
    /** A producer-pool source. */
    PRODUCERS("producers"),
    /** One result per item. */
    MAP("map"),
    /** Zero or more results per item. */
    FLAT_MAP("flatMap"),
    /** Items that pass a test. */
    FILTER("filter"),
    /** Items with follow-ups. */
    EXPAND("expand"),
    /** Lists of items. */
    BATCH("batch"),
    /** Terminal: a consumer. */
    FOR_EACH("forEach"),
    /** Terminal: a list. */
    TO_LIST("toList"),
    /** Terminal: a channel. */
    INTO("into");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    boolean isTerminal() {
      return this == FOR_EACH || this == TO_LIST || this == INTO;
    }
  }

  /**
   * One stage, or the source.
   *
   * @param kind what it does
   * @param name its name
   * @param options its options
   * @param fn its function, channel or source object (by kind)
   * @param batchSize the batch size (batch only)
   * @param maxWaitNanos the batch wait (batch only)
   */
  record StageSpec(
      Kind kind,
      String name,
      Stage options,
      @Nullable Object fn,
      int batchSize,
      long maxWaitNanos) {}

  /** Guards single-use sources (iterators, streams, channels) against a second run. */
  private final @Nullable AtomicBoolean used;

  private final List<StageSpec> stages;

  private PipelineSpec(@Nullable AtomicBoolean used, List<StageSpec> stages) {
    this.used = used;
    this.stages = List.copyOf(stages);
  }

  private static PipelineSpec source(Kind kind, String name, Stage options, Object source) {
    boolean singleUse = !(source instanceof Iterable<?>);
    return new PipelineSpec(
        singleUse ? new AtomicBoolean() : null,
        List.of(new StageSpec(kind, name, options, source, 0, 0)));
  }

  /**
   * A spec over an iterable.
   *
   * @param source the iterable
   * @return the spec
   */
  public static PipelineSpec ofIterable(Iterable<?> source) {
    return source(Kind.ITERATOR, "source", Stage.workers(1), source);
  }

  /**
   * A spec over an iterator.
   *
   * @param source the iterator
   * @return the spec
   */
  public static PipelineSpec ofIterator(Iterator<?> source) {
    return source(Kind.ITERATOR, "source", Stage.workers(1), source);
  }

  /**
   * A spec over a stream.
   *
   * @param source the stream
   * @return the spec
   */
  public static PipelineSpec ofStream(Stream<?> source) {
    return source(Kind.ITERATOR, "source", Stage.workers(1), source);
  }

  /**
   * A spec fed by a channel.
   *
   * @param source the channel
   * @return the spec
   */
  public static PipelineSpec ofChannel(Channel<?> source) {
    return source(Kind.CHANNEL, "source", Stage.workers(1), source);
  }

  /**
   * A spec fed by producers.
   *
   * @param name the source's name
   * @param options producer count and threads
   * @param producer the producer
   * @return the spec
   */
  public static PipelineSpec ofProducers(
      String name, Stage options, Pipeline.Producer<?> producer) {
    return source(Kind.PRODUCERS, name, options, producer);
  }

  /**
   * This spec with one more stage.
   *
   * @param kind the stage's kind
   * @param name its name, unique
   * @param options its options
   * @param fn its function (or channel for {@code into})
   * @param batchSize batch size (batch only)
   * @param maxWaitNanos batch wait (batch only)
   * @return a new spec
   * @throws IllegalArgumentException if the name is taken
   */
  public PipelineSpec with(
      Kind kind,
      String name,
      Stage options,
      @Nullable Object fn,
      int batchSize,
      long maxWaitNanos) {
    for (StageSpec stage : stages) {
      if (stage.name().equals(name)) {
        throw new IllegalArgumentException(
            "stage name must be unique in the pipeline: '" + name + "' is already used");
      }
    }
    List<StageSpec> longer = new ArrayList<>(stages);
    longer.add(new StageSpec(kind, name, options, fn, batchSize, maxWaitNanos));
    return new PipelineSpec(used, longer);
  }

  /**
   * A runnable pipeline for this (complete) spec.
   *
   * @param <R> the terminal's result type
   * @return the runnable pipeline
   */
  public <R> RunnablePipeline<R> runnable() {
    return new PipelineRunnable<>(this, PipelineRunnable.Options.DEFAULT);
  }

  List<StageSpec> stages() {
    return stages;
  }

  /** Marks a single-use source used; throws if it was already. */
  void claimSource() {
    if (used != null && !used.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "this pipeline's source ("
              + stages.get(0).fn()
              + ") can be consumed only once, and a"
              + " run has already started; build the pipeline again from a new source");
    }
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("[");
    for (StageSpec stage : stages) {
      if (s.length() > 1) {
        s.append(" -> ");
      }
      s.append(stage.kind().label).append(" '").append(stage.name()).append('\'');
    }
    return s.append(']').toString();
  }
}
