package dev.sluice;

import dev.sluice.internal.PipelineSpec;
import dev.sluice.internal.PipelineSpec.Kind;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A multi-stage pipeline of worker pools joined by bounded {@link Channel}s: the source feeds the
 * first stage, each stage's workers take items from its input and send their results to the next
 * stage's input, and a terminal stage consumes the last results.
 *
 * <pre>{@code
 * PipelineResult<Void> result = Pipeline.from(paths)               // Iterable, Iterator, Stream, Channel
 *     .map("read", 16, path -> Files.readAllBytes(path))            // 16 virtual-thread workers
 *     .map("hash", Stage.workers(4).platformThreads(), bytes -> sha256(bytes))
 *     .forEach("store", 1, digest -> store(digest))                // terminal
 *     .run();                                                       // blocks; start() does not
 * }</pre>
 *
 * <p><b>Shutdown.</b> No sentinels: a stage closes its output only after its input is closed and
 * drained and its last worker has exited, so the end of the input reaches the terminal behind the
 * last item. Every item from the source ends in exactly one of: delivered to the terminal, filtered
 * out, failed (counted and given to the stage's {@link ErrorPolicy}), or, if the pipeline is
 * cancelled or fails, discarded (counted, and given to {@link RunnablePipeline#onDiscard}).
 *
 * <p><b>Backpressure.</b> Every stage's input is bounded ({@link Stage#capacity(int)}), so a fast
 * stage waits for a slow one and memory stays bounded by the capacities, not by the source's size.
 * Lazy sources are pulled one item at a time, as room appears.
 *
 * <p><b>Failures.</b> By default the first failure cancels the whole pipeline: workers are
 * interrupted, channels closed with the cause, and {@code run()} throws a {@link PipelineException}
 * naming the stage and the item. See {@link ErrorPolicy} for the alternatives.
 *
 * <p>A {@code Pipeline} is immutable: each method returns a new one, and a pipeline can be extended
 * in different ways. Stage names must be unique within a pipeline; they name the stage's threads,
 * statistics and failures.
 *
 * @param <T> the type of the items the last stage emits
 */
public final class Pipeline<T> {

  private final PipelineSpec spec;

  private Pipeline(PipelineSpec spec) {
    this.spec = spec;
  }

  // ---------------------------------------------------------------------------------------------
  // Sources

  /**
   * A pipeline over the items of {@code source}, iterated lazily on a thread of the pipeline. Each
   * run iterates afresh.
   *
   * @param source the items, none null
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> from(Iterable<? extends T> source) {
    Objects.requireNonNull(source, "source");
    return new Pipeline<>(PipelineSpec.ofIterable(source));
  }

  /**
   * A pipeline over the rest of {@code source}, pulled lazily, one item at a time as the first
   * stage has room, on a virtual thread of the pipeline's. Runs once.
   *
   * <p>To pull on a platform thread instead (an iterator that holds a monitor while it blocks pins
   * a virtual thread's carrier on JDK 21-23), or to give the source a name of its own, use one
   * producer:
   *
   * <pre>{@code
   * Pipeline.fromProducers("rows", Stage.workers(1).platformThreads(), (i, out) -> {
   *   while (rows.hasNext()) {
   *     out.emit(rows.next());
   *   }
   * })
   * }</pre>
   *
   * @param source the items, none null
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> from(Iterator<? extends T> source) {
    Objects.requireNonNull(source, "source");
    return new Pipeline<>(PipelineSpec.ofIterator(source));
  }

  /**
   * A pipeline over {@code source}, pulled lazily through its iterator and closed when the pipeline
   * ends. Runs once.
   *
   * @param source the items, none null
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> from(Stream<? extends T> source) {
    Objects.requireNonNull(source, "source");
    return new Pipeline<>(PipelineSpec.ofStream(source));
  }

  /**
   * A pipeline fed by {@code source}: the first stage receives from it until it is closed and
   * drained. If the pipeline is cancelled or fails, the channel is {@linkplain
   * Channel#cancel(Throwable) cancelled} with the cause, so that its senders do not wait forever;
   * the items left in it are counted as discarded. Runs once.
   *
   * @param source the channel
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> from(Channel<? extends T> source) {
    Objects.requireNonNull(source, "source");
    return new Pipeline<>(PipelineSpec.ofChannel(source));
  }

  /**
   * A pipeline fed by {@code producers} producer tasks running at once: each is called with its
   * index (0 to {@code producers - 1}) and an emitter, and the source ends when every producer has
   * returned.
   *
   * <pre>{@code
   * Pipeline.fromProducers("produce", 20, (i, out) -> out.emit(fetchPage(i)))
   * }</pre>
   *
   * @param name the source's name
   * @param producers how many producers, at least 1
   * @param producer the producer
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> fromProducers(String name, int producers, Producer<T> producer) {
    return fromProducers(name, Stage.workers(requireWorkers(producers, name)), producer);
  }

  /**
   * As {@link #fromProducers(String, int, Producer)}, with {@code options.workers()} producers on
   * the threads the options name. A producer that throws fails the pipeline, or, under {@link
   * ErrorPolicy#skip() skip} or {@link ErrorPolicy#deadLetter deadLetter}, is counted as failed
   * while the others go on; producers are never retried.
   *
   * @param name the source's name
   * @param options the producer count and threads
   * @param producer the producer
   * @param <T> the item type
   * @return the pipeline
   */
  public static <T> Pipeline<T> fromProducers(String name, Stage options, Producer<T> producer) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(producer, "producer");
    if (options.errorPolicy() instanceof ErrorPolicy.Retry) {
      throw new IllegalArgumentException(
          "producers cannot be retried (source '" + name + "'): " + options.errorPolicy());
    }
    return new Pipeline<>(PipelineSpec.ofProducers(requireName(name), options, producer));
  }

  // ---------------------------------------------------------------------------------------------
  // Stages

  /**
   * Adds a stage that turns each item into one result.
   *
   * @param name the stage's name, unique in the pipeline
   * @param workers how many items it processes at once
   * @param fn the function; it must not return null
   * @param <R> the result type
   * @return the longer pipeline
   */
  public <R> Pipeline<R> map(String name, int workers, ItemFunction<? super T, ? extends R> fn) {
    return map(name, Stage.workers(requireWorkers(workers, name)), fn);
  }

  /**
   * Adds a stage that turns each item into one result, with the given options.
   *
   * @param name the stage's name, unique in the pipeline
   * @param options worker count, threads, capacity, ordering, error policy, rate limit
   * @param fn the function; it must not return null
   * @param <R> the result type
   * @return the longer pipeline
   */
  public <R> Pipeline<R> map(String name, Stage options, ItemFunction<? super T, ? extends R> fn) {
    return add(Kind.MAP, name, options, fn);
  }

  /**
   * Adds a stage that turns each item into zero or more results, sent through an {@link Emitter} as
   * they are made (waiting while the next stage is full).
   *
   * @param name the stage's name, unique in the pipeline
   * @param workers how many items it processes at once
   * @param fn the function
   * @param <R> the result type
   * @return the longer pipeline
   */
  public <R> Pipeline<R> flatMap(String name, int workers, FlatMapper<? super T, R> fn) {
    return flatMap(name, Stage.workers(requireWorkers(workers, name)), fn);
  }

  /**
   * Adds a stage that turns each item into zero or more results, with the given options. With a
   * {@link ErrorPolicy#retry retry} policy each attempt's results are held back until the attempt
   * succeeds, so a retried item never emits twice.
   *
   * @param name the stage's name, unique in the pipeline
   * @param options the stage options
   * @param fn the function
   * @param <R> the result type
   * @return the longer pipeline
   */
  public <R> Pipeline<R> flatMap(String name, Stage options, FlatMapper<? super T, R> fn) {
    return add(Kind.FLAT_MAP, name, options, fn);
  }

  /**
   * Adds a stage that passes on the items for which {@code predicate} is true.
   *
   * @param name the stage's name, unique in the pipeline
   * @param workers how many items it tests at once
   * @param predicate the test
   * @return the longer pipeline
   */
  public Pipeline<T> filter(String name, int workers, ItemPredicate<? super T> predicate) {
    return filter(name, Stage.workers(requireWorkers(workers, name)), predicate);
  }

  /**
   * Adds a stage that passes on the items for which {@code predicate} is true, with the given
   * options.
   *
   * @param name the stage's name, unique in the pipeline
   * @param options the stage options
   * @param predicate the test
   * @return the longer pipeline
   */
  public Pipeline<T> filter(String name, Stage options, ItemPredicate<? super T> predicate) {
    return add(Kind.FILTER, name, options, predicate);
  }

  /**
   * Adds a stage whose items may add follow-up items to the same stage: directory walks,
   * pagination, crawls. Follow-ups are taken before new input, and the stage ends when its input is
   * closed and drained and no item or follow-up is in flight. See {@link Expansion}.
   *
   * @param name the stage's name, unique in the pipeline
   * @param workers how many items it processes at once
   * @param fn the function
   * @param <R> the output type
   * @return the longer pipeline
   */
  public <R> Pipeline<R> expand(String name, int workers, Expander<T, R> fn) {
    return expand(name, Stage.workers(requireWorkers(workers, name)), fn);
  }

  /**
   * As {@link #expand(String, int, Expander)}, with the given options. An expand stage cannot be
   * {@linkplain Stage#ordered() ordered} or {@linkplain Stage#keyedBy keyed}. The input capacity
   * bounds new input waiting for a worker; follow-ups are not bounded (they must never wait).
   *
   * @param name the stage's name, unique in the pipeline
   * @param options the stage options
   * @param fn the function
   * @param <R> the output type
   * @return the longer pipeline
   * @throws IllegalArgumentException if the options are ordered or keyed
   */
  public <R> Pipeline<R> expand(String name, Stage options, Expander<T, R> fn) {
    Objects.requireNonNull(options, "options");
    if (options.orderWindow() > 0 || options.key() != null) {
      throw new IllegalArgumentException(
          "an expand stage cannot be ordered or keyed (stage '" + name + "'): " + options);
    }
    return add(Kind.EXPAND, name, options, fn);
  }

  /**
   * Adds a stage that groups items into lists of {@code size}, emitting a shorter list when {@code
   * maxWait} has passed since its first item, and the rest when the input ends.
   *
   * @param name the stage's name, unique in the pipeline
   * @param size the largest batch, at least 1
   * @param maxWait how long a batch may wait for more items, positive
   * @return the longer pipeline
   */
  public Pipeline<List<T>> batch(String name, int size, Duration maxWait) {
    return batch(name, Stage.workers(1), size, maxWait);
  }

  /**
   * As {@link #batch(String, int, Duration)}, with the given options: each worker fills its own
   * batch.
   *
   * @param name the stage's name, unique in the pipeline
   * @param options the stage options
   * @param size the largest batch, at least 1
   * @param maxWait how long a batch may wait for more items, positive
   * @return the longer pipeline
   */
  public Pipeline<List<T>> batch(String name, Stage options, int size, Duration maxWait) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1 (stage '" + name + "'): " + size);
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException(
          "maxWait must be positive (stage '" + name + "'): " + maxWait);
    }
    Objects.requireNonNull(options, "options");
    if (options.key() != null) {
      throw new IllegalArgumentException(
          "a batch stage cannot be keyed (stage '" + name + "'): " + options);
    }
    return new Pipeline<>(
        spec.with(Kind.BATCH, requireName(name), options, null, size, maxWait.toNanos()));
  }

  // ---------------------------------------------------------------------------------------------
  // Terminals

  /**
   * Ends the pipeline with a stage that consumes each item.
   *
   * @param name the stage's name, unique in the pipeline
   * @param workers how many items it consumes at once
   * @param consumer the consumer
   * @return the complete pipeline, to {@code run()} or {@code start()}
   */
  public RunnablePipeline<Void> forEach(
      String name, int workers, ItemConsumer<? super T> consumer) {
    return forEach(name, Stage.workers(requireWorkers(workers, name)), consumer);
  }

  /**
   * Ends the pipeline with a stage that consumes each item, with the given options. A consumer with
   * one worker sees items in the order the last stage emits them; with more workers the order is
   * not kept (an ordered consumer with several workers is refused).
   *
   * @param name the stage's name, unique in the pipeline
   * @param options the stage options
   * @param consumer the consumer
   * @return the complete pipeline
   */
  public RunnablePipeline<Void> forEach(
      String name, Stage options, ItemConsumer<? super T> consumer) {
    Objects.requireNonNull(options, "options");
    if (options.orderWindow() > 0 && options.workers() > 1) {
      throw new IllegalArgumentException(
          "an ordered forEach would consume one item at a time; use Stage.workers(1), which"
              + " consumes in arrival order (stage '"
              + name
              + "'): "
              + options);
    }
    return this.<Void>add(Kind.FOR_EACH, name, options, consumer).spec.runnable();
  }

  /**
   * Ends the pipeline by collecting the items into a list, in arrival order (the order of the last
   * stage's output, so source order when every stage is ordered).
   *
   * @return the complete pipeline; its result's {@link PipelineResult#value()} is the list
   */
  public RunnablePipeline<List<T>> toList() {
    return spec.with(Kind.TO_LIST, "toList", Stage.workers(1), null, 0, 0).runnable();
  }

  /**
   * Ends the pipeline by sending the items into {@code channel}, waiting while it is full. The
   * pipeline closes the channel when it ends: normally once the last item is in, or with the
   * failure as cause if the pipeline fails or is cancelled. If the channel is closed by someone
   * else first, the pipeline fails.
   *
   * @param channel where the items go
   * @return the complete pipeline
   */
  public RunnablePipeline<Void> into(Channel<? super T> channel) {
    Objects.requireNonNull(channel, "channel");
    return spec.with(Kind.INTO, "into", Stage.workers(1), channel, 0, 0).runnable();
  }

  // ---------------------------------------------------------------------------------------------

  private <R> Pipeline<R> add(Kind kind, String name, Stage options, Object fn) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(fn, "fn");
    return new Pipeline<>(spec.with(kind, requireName(name), options, fn, 0, 0));
  }

  private static String requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: '" + name + "'");
    }
    return name;
  }

  private static int requireWorkers(int workers, String name) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1 (stage '" + name + "'): " + workers);
    }
    return workers;
  }

  /**
   * Describes the pipeline: its source and each stage with its options, for logs and debugging.
   *
   * @return a description, not meant to be parsed
   */
  @Override
  public String toString() {
    return "Pipeline" + spec;
  }

  // ---------------------------------------------------------------------------------------------
  // Function types: like java.util.function's, but they may throw.

  /**
   * A {@code map} function.
   *
   * @param <T> the input type
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface ItemFunction<T, R> {
    /**
     * Computes the result for {@code item}.
     *
     * @param item the input
     * @return the result, not null
     * @throws Exception a failure, handled by the stage's error policy
     */
    R apply(T item) throws Exception;
  }

  /**
   * A {@code flatMap} function.
   *
   * @param <T> the input type
   * @param <R> the result type
   */
  @FunctionalInterface
  public interface FlatMapper<T, R> {
    /**
     * Emits the results for {@code item}: zero or more.
     *
     * @param item the input
     * @param out where the results go
     * @throws Exception a failure, handled by the stage's error policy
     */
    void apply(T item, Emitter<R> out) throws Exception;
  }

  /**
   * A {@code filter} test.
   *
   * @param <T> the input type
   */
  @FunctionalInterface
  public interface ItemPredicate<T> {
    /**
     * Whether to pass {@code item} on.
     *
     * @param item the input
     * @return true to keep the item
     * @throws Exception a failure, handled by the stage's error policy
     */
    boolean test(T item) throws Exception;
  }

  /**
   * A {@code forEach} consumer.
   *
   * @param <T> the input type
   */
  @FunctionalInterface
  public interface ItemConsumer<T> {
    /**
     * Consumes {@code item}.
     *
     * @param item the input
     * @throws Exception a failure, handled by the stage's error policy
     */
    void accept(T item) throws Exception;
  }

  /**
   * An {@code expand} function.
   *
   * @param <T> the input (and follow-up) type
   * @param <R> the output type
   */
  @FunctionalInterface
  public interface Expander<T, R> {
    /**
     * Processes {@code item}: emits outputs and adds follow-ups through {@code out}.
     *
     * @param item the input or follow-up
     * @param out where outputs and follow-ups go
     * @throws Exception a failure, handled by the stage's error policy
     */
    void expand(T item, Expansion<T, R> out) throws Exception;
  }

  /**
   * A producer for {@link #fromProducers}.
   *
   * @param <T> the item type
   */
  @FunctionalInterface
  public interface Producer<T> {
    /**
     * Produces items until done.
     *
     * @param index this producer's index, from 0
     * @param out where items go
     * @throws Exception a failure: fails the pipeline unless the source's policy skips it
     */
    void produce(int index, Emitter<T> out) throws Exception;
  }
}
