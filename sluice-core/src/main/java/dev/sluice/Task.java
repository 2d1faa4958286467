package dev.sluice;

import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * A task submitted to a {@link TaskGroup}: a {@link Future} with {@link #join()}.
 *
 * <p>Waiting for a task from inside a task of the same group ({@code join} or {@code get}) never
 * deadlocks, whatever the group's {@code maxConcurrency}: if the awaited task has not started, the
 * waiter runs it itself; if it is running, the waiter gives its concurrency slot back while it
 * waits and takes one again before it continues. Running tasks never exceed the limit.
 *
 * <p>Memory consistency effects: actions taken by the task happen-before a successful return from
 * {@code join} or {@code get} in another thread.
 *
 * @param <T> the result type
 */
public interface Task<T> extends Future<T> {

  /**
   * Waits for the task and returns its result.
   *
   * @return the result
   * @throws InterruptedException if interrupted while waiting
   * @throws CompletionException if the task failed; its cause is the failure
   * @throws java.util.concurrent.CancellationException if the task was cancelled
   */
  T join() throws InterruptedException;

  /**
   * The group this task was submitted to.
   *
   * @return the group
   */
  TaskGroup group();
}
