package dev.sluice;

import dev.sluice.internal.Group;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Structured execution of tasks that may submit more tasks, with exact completion.
 *
 * <pre>{@code
 * try (TaskGroup group = TaskGroup.builder().name("crawl").maxConcurrency(16).build()) {
 *   group.submit(() -> crawl(group, startUrl));   // crawl() submits a follow-up per link
 *   group.join();                                  // every page, follow-ups included, is done
 * }
 * }</pre>
 *
 * <h2>What it guarantees</h2>
 *
 * <ul>
 *   <li><b>Exact completion.</b> The group counts pending tasks: one more on submit, one fewer when
 *       a task has finished. {@link #join()} returns when the count is zero: every task submitted
 *       so far, and every follow-up they submitted, has finished. No polling, no timeouts.
 *   <li><b>Follow-ups never block.</b> {@link #submit} from inside a task of the group never waits;
 *       the follow-up runs before outside work that is still queued, newest first, so a depth-first
 *       workload keeps the backlog small. From outside, {@code submit} waits while {@code
 *       maxPending} tasks are queued.
 *   <li><b>No deadlock on nested waits.</b> See {@link Task}.
 *   <li><b>Failures propagate.</b> See {@link FailurePolicy}; {@code FAIL_FAST} is the default.
 * </ul>
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #cancel()} drops queued tasks and interrupts running ones. {@link #close()} waits for all
 * work (cancelling it if the waiting thread is interrupted), then refuses new work with {@link
 * RejectedExecutionException}; when it returns no thread of the group remains.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a task happen-before the
 * task runs; actions of every task happen-before {@code join()} returns.
 */
public interface TaskGroup extends AutoCloseable {

  /**
   * Opens a group with the defaults: virtual threads, {@code maxConcurrency} unbounded, fail-fast.
   *
   * @return a new group
   */
  static TaskGroup open() {
    return builder().build();
  }

  /**
   * A builder for a group with options.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * The group of the task running on the calling thread.
   *
   * @return the group, or empty if the caller is not running a task of any group
   */
  static Optional<TaskGroup> current() {
    return Optional.ofNullable(Group.current());
  }

  /** A task that returns no value and may throw. */
  @FunctionalInterface
  interface Action {
    /**
     * Runs the action.
     *
     * @throws Exception if it fails
     */
    void run() throws Exception;
  }

  /**
   * Submits a task. From inside a task of this group, never blocks; from outside, blocks while the
   * backlog holds {@code maxPending} tasks.
   *
   * @param task the task
   * @param <T> its result type
   * @return the task's handle
   * @throws RejectedExecutionException if the group is closed or cancelled, or the calling thread
   *     is interrupted while waiting for room in the backlog (its interrupt status is then set)
   * @throws NullPointerException if {@code task} is null
   */
  <T> Task<T> submit(Callable<T> task);

  /**
   * Submits a task that returns no value; as {@link #submit(Callable)}.
   *
   * @param task the task
   * @return the task's handle, whose result is null
   */
  Task<@Nullable Void> submit(Action task);

  /** The order in which {@link #mapConcurrent} delivers completions. */
  enum Order {
    /** As each input finishes (the seeds' {@code as_completed}). */
    COMPLETION,
    /** In input order; results that finish early wait, within the in-flight bound. */
    INPUT
  }

  /**
   * A function applied to each input by {@link #mapConcurrent}; may throw.
   *
   * @param <I> the input type
   * @param <O> the result type
   */
  @FunctionalInterface
  interface Mapper<I, O> {
    /**
     * Maps one input.
     *
     * @param input the input
     * @return the result
     * @throws Exception if it fails; the failure is captured in the {@link Completion}
     */
    O apply(I input) throws Exception;
  }

  /**
   * Applies {@code fn} to each input as a task of this group, pulling inputs lazily so that at most
   * {@code maxInFlight} are in flight at any moment (submitted and not yet handed to the caller;
   * never one more), and delivers each outcome with its input. A failure of {@code fn} is captured
   * in its {@link Completion}, not thrown, and does not cancel the group.
   *
   * <pre>{@code
   * try (Stream<Completion<Url, Page>> pages =
   *         group.mapConcurrent(urls.iterator(), 16, TaskGroup.Order.COMPLETION, this::fetch)) {
   *   pages.forEach(c -> System.out.println(c.input() + " -> " + (c.succeeded() ? "ok" : c.failure())));
   * }
   * }</pre>
   *
   * <p>The stream is pulled on the caller's thread: inputs are read, and tasks submitted, only as
   * the stream is consumed. Closing the stream early cancels the tasks still in flight. If the
   * caller is interrupted while waiting, the stream throws {@link
   * java.util.concurrent.CancellationException} and the thread's interrupt status is set.
   *
   * @param inputs the inputs, read lazily, one at a time
   * @param maxInFlight the most inputs in flight, at least 1
   * @param order completion order or input order
   * @param fn the function
   * @param <I> the input type
   * @param <O> the result type
   * @return a sequential stream of completions, one per input
   */
  <I, O> Stream<Completion<I, O>> mapConcurrent(
      Iterator<? extends I> inputs,
      int maxInFlight,
      Order order,
      Mapper<? super I, ? extends O> fn);

  /**
   * As {@link #mapConcurrent(Iterator, int, Order, Mapper)} in completion order, with the group's
   * {@code maxConcurrency} as the in-flight bound.
   *
   * @param inputs the inputs, read lazily
   * @param fn the function
   * @param <I> the input type
   * @param <O> the result type
   * @return a sequential stream of completions
   * @throws IllegalStateException if the group's {@code maxConcurrency} is unbounded
   */
  <I, O> Stream<Completion<I, O>> mapConcurrent(
      Iterator<? extends I> inputs, Mapper<? super I, ? extends O> fn);

  /**
   * Waits until every task submitted so far, and every follow-up they submitted, has finished. May
   * be called again after more work has been submitted.
   *
   * @throws InterruptedException if interrupted while waiting
   * @throws TaskGroupException if tasks failed (with {@code COLLECT_ALL}, each failure is reported
   *     by one join only)
   * @throws java.util.concurrent.CancellationException if the group was cancelled by {@link
   *     #cancel()}
   * @throws IllegalStateException if called from a task of this group (it would wait for itself)
   */
  void join() throws InterruptedException;

  /** Cancels the group: queued tasks are dropped, running tasks interrupted, new work refused. */
  void cancel();

  /**
   * Waits for all work, then closes the group. If the calling thread is interrupted while waiting,
   * the group is cancelled, the wait continues until its threads have ended, and the interrupt
   * status is set again. Idempotent.
   *
   * @throws TaskGroupException if tasks failed and no {@link #join()} has reported it
   */
  @Override
  void close();

  /**
   * Whether the group has been cancelled (by {@link #cancel()} or a fail-fast failure).
   *
   * @return true once cancelled
   */
  boolean isCancelled();

  /**
   * The group's name.
   *
   * @return the name given to the builder, or a generated one
   */
  String name();

  /**
   * The group's counters. Exact whenever no task is running (for example after {@link #join()});
   * while tasks run, runners report their counts in batches, so {@code completed} and {@code
   * pending} may trail the truth by a few tasks.
   *
   * @return the counters now
   */
  TaskGroupStats stats();

  /**
   * An {@link ExecutorService} view of this group. Through the view a task's failure belongs to its
   * {@code Future} alone: it never cancels the group or other tasks. {@code shutdown} and {@code
   * shutdownNow} act on the view's own tasks and make the view refuse new ones; the group itself
   * stays open.
   *
   * @return a new view
   */
  ExecutorService asExecutorService();

  /** Options for a {@link TaskGroup}; each may be set once. */
  final class Builder {
    private @Nullable String name;
    private int maxConcurrency = Integer.MAX_VALUE;
    private boolean maxConcurrencySet;
    private int maxPending = Integer.MAX_VALUE;
    private boolean maxPendingSet;
    private @Nullable ThreadFactory threadFactory;
    private @Nullable Boolean virtual;
    private @Nullable FailurePolicy failurePolicy;
    private int maxAttempts = 1;
    private Backoff backoff = Backoff.none();
    private Predicate<? super Throwable> retryOn = t -> true;
    private boolean retrySet;

    Builder() {}

    private static void requireUnset(boolean set, String option) {
      if (set) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * The group's name, used in thread names ({@code sluice-<name>-<n>}) and messages.
     *
     * @param name not blank
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      requireUnset(this.name != null, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank: '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The most tasks that run at once. Default: unbounded.
     *
     * @param maxConcurrency at least 1
     * @return this builder
     */
    public Builder maxConcurrency(int maxConcurrency) {
      requireUnset(maxConcurrencySet, "maxConcurrency");
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException("maxConcurrency must be >= 1: " + maxConcurrency);
      }
      this.maxConcurrency = maxConcurrency;
      maxConcurrencySet = true;
      return this;
    }

    /**
     * The most tasks queued from outside the group; an outside {@code submit} waits while the
     * backlog is full. Follow-ups submitted from inside are not limited. Default: unbounded.
     *
     * @param maxPending at least 1
     * @return this builder
     */
    public Builder maxPending(int maxPending) {
      requireUnset(maxPendingSet, "maxPending");
      if (maxPending < 1) {
        throw new IllegalArgumentException("maxPending must be >= 1: " + maxPending);
      }
      this.maxPending = maxPending;
      maxPendingSet = true;
      return this;
    }

    /**
     * Run tasks on virtual threads (the default).
     *
     * @return this builder
     */
    public Builder virtualThreads() {
      requireUnset(virtual != null || threadFactory != null, "the thread kind");
      virtual = true;
      return this;
    }

    /**
     * Run tasks on platform threads named {@code sluice-<name>-<n>}, for CPU-bound work.
     *
     * @return this builder
     */
    public Builder platformThreads() {
      requireUnset(virtual != null || threadFactory != null, "the thread kind");
      virtual = false;
      return this;
    }

    /**
     * Run tasks on threads from this factory.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      Objects.requireNonNull(threadFactory, "threadFactory");
      requireUnset(virtual != null || this.threadFactory != null, "the thread kind");
      this.threadFactory = threadFactory;
      return this;
    }

    /**
     * What a failure does to the group. Default: {@link FailurePolicy#FAIL_FAST}.
     *
     * @param failurePolicy the policy
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy failurePolicy) {
      Objects.requireNonNull(failurePolicy, "failurePolicy");
      requireUnset(this.failurePolicy != null, "failurePolicy");
      this.failurePolicy = failurePolicy;
      return this;
    }

    /**
     * Retries a failed task up to {@code maxAttempts} attempts in all, waiting as {@code backoff}
     * says before each retry, for failures that {@code retryOn} accepts. The task keeps its slot
     * while it waits. A task that fails on its last attempt fails with the last failure, earlier
     * ones suppressed.
     *
     * @param maxAttempts attempts in all, at least 1
     * @param backoff the delay before each retry
     * @param retryOn which failures to retry
     * @return this builder
     */
    public Builder retry(int maxAttempts, Backoff backoff, Predicate<? super Throwable> retryOn) {
      requireUnset(retrySet, "retry");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
      retrySet = true;
      return this;
    }

    /**
     * As {@link #retry(int, Backoff, Predicate)}, retrying every failure except interrupts.
     *
     * @param maxAttempts attempts in all, at least 1
     * @param backoff the delay before each retry
     * @return this builder
     */
    public Builder retry(int maxAttempts, Backoff backoff) {
      return retry(maxAttempts, backoff, t -> !(t instanceof InterruptedException));
    }

    /**
     * Opens the group.
     *
     * @return a new open group
     */
    public TaskGroup build() {
      boolean platform = virtual != null && !virtual;
      return new Group(
          name,
          maxConcurrency,
          maxPending,
          threadFactory,
          platform,
          failurePolicy == null ? FailurePolicy.FAIL_FAST : failurePolicy,
          maxAttempts,
          backoff,
          retryOn);
    }
  }
}
