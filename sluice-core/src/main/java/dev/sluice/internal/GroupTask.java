package dev.sluice.internal;

import dev.sluice.Task;
import dev.sluice.TaskGroup;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A task of a {@link Group}: the callable, its outcome and its place in the group's bookkeeping.
 *
 * <h2>Implementation overview</h2>
 *
 * States: {@code QUEUED -> RUNNING -> SUCCEEDED | FAILED}, and {@code QUEUED | RUNNING ->
 * CANCELLED}. Every transition happens under the group's lock, except reading. {@link #state} is
 * volatile; {@link #value} and {@link #failure} are written before the state that publishes them
 * and read only after seeing that state. {@link #done} opens exactly once, when the state first
 * becomes terminal; a task cancelled while running is done at once (as {@link
 * java.util.concurrent.FutureTask} does) but stays pending in its group until its code returns.
 */
final class GroupTask<T> implements Task<T> {
  static final int QUEUED = 0;
  static final int RUNNING = 1;
  static final int SUCCEEDED = 2;
  static final int FAILED = 3;
  static final int CANCELLED = 4;

  final Group group;
  final Callable<T> callable;

  /** Submitted from outside the group: counts against {@code maxPending} while queued. */
  final boolean fromOutside;

  /** Submitted through the executor view: its failure is its own, not the group's. */
  final boolean isolated;

  volatile int state;
  private @Nullable T value;
  private @Nullable Throwable failure;
  final CountDownLatch done = new CountDownLatch(1);

  /** Set, under the group's lock, when {@code cancel(true)} interrupted the thread running it. */
  boolean interruptedByCancel;

  /** Set, under the group's lock, when the task was cancelled before it started. */
  boolean cancelledUnstarted;

  /** Called once, under the group's lock, when the group stops counting this task as pending. */
  @Nullable Runnable onFinished;

  /** Guarded by the group's lock: the runner executing this task, while it runs. */
  Group.@Nullable Runner runner;

  GroupTask(Group group, Callable<T> callable, boolean fromOutside, boolean isolated) {
    this.group = group;
    this.callable = callable;
    this.fromOutside = fromOutside;
    this.isolated = isolated;
  }

  /** Sets the outcome; the caller holds the group's lock and the task is not yet done. */
  void succeed(@Nullable T result) {
    value = result;
    state = SUCCEEDED;
    done.countDown();
  }

  /** Sets the outcome; the caller holds the group's lock and the task is not yet done. */
  void fail(Throwable cause) {
    failure = cause;
    state = FAILED;
    done.countDown();
  }

  /** Marks the task cancelled; the caller holds the group's lock and the task is not yet done. */
  void markCancelled() {
    state = CANCELLED;
    done.countDown();
  }

  void finished() {
    Runnable hook = onFinished;
    if (hook != null) {
      hook.run();
    }
  }

  boolean isTerminal() {
    return state >= SUCCEEDED;
  }

  @Override
  public TaskGroup group() {
    return group;
  }

  @Override
  public T join() throws InterruptedException {
    if (!isDone()) {
      group.await(this, false, 0L);
    }
    return switch (state) {
      case SUCCEEDED -> value;
      case FAILED -> throw new CompletionException(failure);
      default -> throw cancelled();
    };
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    if (!isDone()) {
      group.await(this, false, 0L);
    }
    return report();
  }

  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (!isDone() && !group.await(this, true, System.nanoTime() + unit.toNanos(timeout))) {
      throw new TimeoutException("task not done after " + timeout + " " + unit);
    }
    return report();
  }

  private T report() throws ExecutionException {
    return switch (state) {
      case SUCCEEDED -> value;
      case FAILED -> throw new ExecutionException(failure);
      default -> throw cancelled();
    };
  }

  private CancellationException cancelled() {
    return new CancellationException("task of group '" + group.name() + "' was cancelled");
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return group.cancelTask(this, mayInterruptIfRunning);
  }

  @Override
  public boolean isCancelled() {
    return state == CANCELLED;
  }

  @Override
  public boolean isDone() {
    return state >= SUCCEEDED;
  }

  @Override
  public String toString() {
    String s =
        switch (state) {
          case QUEUED -> "queued";
          case RUNNING -> "running";
          case SUCCEEDED -> "succeeded";
          case FAILED -> "failed: " + failure;
          default -> "cancelled";
        };
    return "Task[" + s + "] of group '" + group.name() + "'";
  }
}
