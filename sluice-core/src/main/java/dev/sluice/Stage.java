package dev.sluice;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Options for one pipeline stage: worker count, thread kind, input capacity, ordering, error policy
 * and rate limit. Immutable: each method returns a new {@code Stage}.
 *
 * <pre>{@code
 * Pipeline.from(paths)
 *     .map("read", 16, Files::readAllBytes)                              // 16 virtual workers
 *     .map("hash", Stage.workers(4).platformThreads().capacity(64), Hashes::sha256)
 *     .forEach("store", Stage.workers(1).onError(ErrorPolicy.skip()), store::put)
 *     .run();
 * }</pre>
 *
 * <p>Defaults: virtual threads; input capacity {@code max(256, 2 * workers)} ({@link
 * #DEFAULT_CAPACITY}); unordered; {@link ErrorPolicy#failFast()}; no rate limit.
 */
public final class Stage {

  /**
   * The smallest default input capacity. Like Reactor's default prefetch: big enough that a
   * blocking hand-off parks and wakes a thread about once per hundreds of items rather than once
   * per few, small enough to cost little memory for small items. Lower it for large items.
   */
  public static final int DEFAULT_CAPACITY = 256;

  private final int workers;
  private final @Nullable ThreadFactory threadFactory;
  private final boolean platformThreads;
  private final int capacity;
  private final int orderWindow;
  private final @Nullable Function<Object, ?> key;
  private final ErrorPolicy errorPolicy;
  private final double ratePerSecond;
  private final int rateBurst;

  private Stage(Draft d) {
    this.workers = d.workers;
    this.threadFactory = d.threadFactory;
    this.platformThreads = d.platformThreads;
    this.capacity = d.capacity;
    this.orderWindow = d.orderWindow;
    this.key = d.key;
    this.errorPolicy = d.errorPolicy;
    this.ratePerSecond = d.ratePerSecond;
    this.rateBurst = d.rateBurst;
  }

  /** A mutable copy, changed by one option method and frozen into a new {@code Stage}. */
  private static final class Draft {
    int workers;
    @Nullable ThreadFactory threadFactory;
    boolean platformThreads;
    int capacity;
    int orderWindow;
    @Nullable Function<Object, ?> key;
    ErrorPolicy errorPolicy = ErrorPolicy.failFast();
    double ratePerSecond;
    int rateBurst;
  }

  private Stage with(Consumer<Draft> change) {
    Draft d = new Draft();
    d.workers = workers;
    d.threadFactory = threadFactory;
    d.platformThreads = platformThreads;
    d.capacity = capacity;
    d.orderWindow = orderWindow;
    d.key = key;
    d.errorPolicy = errorPolicy;
    d.ratePerSecond = ratePerSecond;
    d.rateBurst = rateBurst;
    change.accept(d);
    return new Stage(d);
  }

  /**
   * A stage with {@code workers} workers and the default options.
   *
   * @param workers how many items the stage processes at once, at least 1
   * @return the options
   * @throws IllegalArgumentException if {@code workers < 1}
   */
  public static Stage workers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1: " + workers);
    }
    Draft d = new Draft();
    d.workers = workers;
    return new Stage(d);
  }

  /**
   * Runs the workers on virtual threads (the default): for stages that wait on I/O.
   *
   * @return new options
   */
  public Stage virtualThreads() {
    return with(
        d -> {
          d.threadFactory = null;
          d.platformThreads = false;
        });
  }

  /**
   * Runs the workers on platform threads named {@code sluice-<stage>-<n>}: for CPU-bound stages.
   *
   * @return new options
   */
  public Stage platformThreads() {
    return with(
        d -> {
          d.threadFactory = null;
          d.platformThreads = true;
        });
  }

  /**
   * Runs the workers on threads from {@code factory}.
   *
   * @param factory the thread factory
   * @return new options
   */
  public Stage threadFactory(ThreadFactory factory) {
    Objects.requireNonNull(factory, "factory");
    return with(
        d -> {
          d.threadFactory = factory;
          d.platformThreads = false;
        });
  }

  /**
   * Bounds the stage's input channel: the stage before it waits while {@code capacity} items are
   * queued. For a {@linkplain #keyedBy keyed} stage it also bounds the items parked behind a busy
   * key.
   *
   * @param capacity the input capacity, at least 1
   * @return new options
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public Stage capacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    }
    return with(d -> d.capacity = capacity);
  }

  /**
   * Emits the stage's output in the order of its input, with a reorder window of {@code max(16, 4 *
   * workers)} items. A stage fed by the source, or by ordered stages only, therefore emits in
   * source order. Items of one input from a {@code flatMap} stay together, in emission order.
   *
   * @return new options
   */
  public Stage ordered() {
    return ordered(Math.max(16, 4 * workers));
  }

  /**
   * As {@link #ordered()} with a reorder window of {@code window} items: a worker does not start an
   * item more than {@code window} places after the oldest item not yet emitted, so at most {@code
   * window} items are held for reordering.
   *
   * @param window the reorder window, at least {@code workers}
   * @return new options
   * @throws IllegalArgumentException if {@code window < workers}
   * @throws IllegalStateException if these options are {@link #keyedBy keyed}: a stage is either
   *     ordered or keyed
   */
  public Stage ordered(int window) {
    if (window < workers) {
      throw new IllegalArgumentException("window must be >= workers (" + workers + "): " + window);
    }
    if (key != null) {
      throw new IllegalStateException("a stage cannot be both ordered and keyedBy");
    }
    return with(
        d -> {
          d.orderWindow = window;
          d.key = null;
        });
  }

  /**
   * Keeps items with equal keys in order (one at a time, in input order, their outputs in that
   * order) while items with different keys run in parallel. Items whose key is busy wait in a
   * buffer bounded by the stage's {@link #capacity(int) capacity}.
   *
   * <pre>{@code
   * Stage.workers(8).keyedBy(Order::customerId)
   * }</pre>
   *
   * @param key the key of an item, compared with {@code equals}; the stage's input type must be
   *     accepted by it
   * @param <T> the stage's input type
   * @return new options
   * @throws IllegalStateException if these options are {@link #ordered() ordered}: a stage is
   *     either ordered or keyed
   */
  @SuppressWarnings("unchecked")
  public <T> Stage keyedBy(Function<? super T, ?> key) {
    Objects.requireNonNull(key, "key");
    if (orderWindow > 0) {
      throw new IllegalStateException("a stage cannot be both ordered and keyedBy");
    }
    return with(
        d -> {
          d.orderWindow = 0;
          d.key = (Function<Object, ?>) key;
        });
  }

  /**
   * What the stage does when its function throws.
   *
   * @param policy the error policy
   * @return new options
   */
  public Stage onError(ErrorPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return with(d -> d.errorPolicy = policy);
  }

  /**
   * Starts at most {@code perSecond} items per second, evenly spaced: consecutive starts are at
   * least {@code 1 / perSecond} seconds apart (burst 1).
   *
   * @param perSecond the rate, positive
   * @return new options
   */
  public Stage rateLimit(double perSecond) {
    return rateLimit(perSecond, 1);
  }

  /**
   * Starts at most {@code burst} items in any window of {@code burst / perSecond} seconds, so at
   * most {@code perSecond} per second on average; after an idle spell up to {@code burst} items may
   * start at once. The bound holds for the times items really start (retries included), even when a
   * worker wakes late.
   *
   * @param perSecond the rate, positive and finite
   * @param burst how many items may start back to back, at least 1
   * @return new options
   */
  public Stage rateLimit(double perSecond, int burst) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be positive and finite: " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1: " + burst);
    }
    return with(
        d -> {
          d.ratePerSecond = perSecond;
          d.rateBurst = burst;
        });
  }

  /**
   * The worker count.
   *
   * @return workers, at least 1
   */
  public int workers() {
    return workers;
  }

  /**
   * The thread factory, if one was set.
   *
   * @return the factory, or null
   */
  public @Nullable ThreadFactory threadFactory() {
    return threadFactory;
  }

  /**
   * Whether the workers run on platform threads named after the stage.
   *
   * @return true for platform threads
   */
  public boolean usesPlatformThreads() {
    return platformThreads;
  }

  /**
   * The input capacity.
   *
   * @return the capacity set, or the default {@code max(256, 2 * workers)}
   */
  public int capacity() {
    return capacity > 0 ? capacity : Math.max(DEFAULT_CAPACITY, 2 * workers);
  }

  /**
   * The reorder window, or 0 when the stage is unordered.
   *
   * @return the window
   */
  public int orderWindow() {
    return orderWindow;
  }

  /**
   * The key function of a keyed stage.
   *
   * @return the key function, or null
   */
  public @Nullable Function<Object, ?> key() {
    return key;
  }

  /**
   * The error policy.
   *
   * @return the policy
   */
  public ErrorPolicy errorPolicy() {
    return errorPolicy;
  }

  /**
   * The rate limit in items per second, or 0 for none.
   *
   * @return the rate
   */
  public double ratePerSecond() {
    return ratePerSecond;
  }

  /**
   * The rate limit's burst, or 0 when there is no rate limit.
   *
   * @return the burst
   */
  public int rateBurst() {
    return rateBurst;
  }

  /**
   * Describes these options, for logs and debugging.
   *
   * @return a description such as {@code Stage[workers=4, ...]}, not meant to be parsed
   */
  @Override
  public String toString() {
    return "Stage[workers="
        + workers
        + (platformThreads ? ", platform" : threadFactory != null ? ", factory" : ", virtual")
        + ", capacity="
        + capacity()
        + (orderWindow > 0 ? ", ordered(" + orderWindow + ")" : "")
        + (key != null ? ", keyed" : "")
        + ", onError="
        + errorPolicy
        + (ratePerSecond > 0 ? ", rate=" + ratePerSecond + "/s burst " + rateBurst : "")
        + "]";
  }
}
