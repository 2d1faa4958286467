package dev.sluice.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link java.util.concurrent.ExecutorService} view of a {@link Group}.
 *
 * <h2>Implementation overview</h2>
 *
 * Tasks go to the group as <em>isolated</em> tasks: a failure completes their future and nothing
 * else. The view tracks its own unfinished tasks in {@link #tasks} (task to the {@code Runnable}
 * that {@code shutdownNow} would return): added by the group's submit hook before the task is
 * published to any queue, removed by the group's finish hook, which runs on whichever thread ends
 * or drops the task, sometimes under the group's lock (lock order: group, then view; the view never
 * calls into the group while holding its own lock). {@link #lock} guards {@link #shutdown} and
 * {@link #tasks}; {@link #terminated} is signalled when the view is shut down and has no task left.
 */
final class GroupExecutor extends AbstractExecutorService {
  private final Group group;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition terminated = lock.newCondition();
  private boolean shutdown;

  /** Submits accepted and not yet registered with the group: the view is not terminated yet. */
  private int submitting;

  private final Map<GroupTask<?>, Runnable> tasks = new LinkedHashMap<>();

  GroupExecutor(Group group) {
    this.group = group;
  }

  private <T> GroupTask<T> track(Callable<T> callable, Runnable asRunnable) {
    return track(callable, asRunnable, null);
  }

  private <T> GroupTask<T> track(
      Callable<T> callable, Runnable asRunnable, @Nullable Consumer<GroupTask<?>> alsoOnFinished) {
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException(
            "executor view of task group '" + group.name() + "' is shut down");
      }
      submitting++; // not terminated before this task is registered or refused
    } finally {
      lock.unlock();
    }
    try {
      // Registered by the group before the task is published, so before it can start or finish.
      return group.submitIsolated(
          callable,
          task -> {
            lock.lock();
            try {
              tasks.put(task, asRunnable);
            } finally {
              lock.unlock();
            }
          },
          task -> {
            if (alsoOnFinished != null) {
              alsoOnFinished.accept(task);
            }
            lock.lock();
            try {
              tasks.remove(task);
              signalIfTerminatedLocked();
            } finally {
              lock.unlock();
            }
          });
    } finally {
      lock.lock();
      try {
        submitting--;
        signalIfTerminatedLocked();
      } finally {
        lock.unlock();
      }
    }
  }

  private boolean isTerminatedLocked() {
    return shutdown && submitting == 0 && tasks.isEmpty();
  }

  private void signalIfTerminatedLocked() {
    if (isTerminatedLocked()) {
      terminated.signalAll();
    }
  }

  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    track(
        () -> {
          command.run();
          return null;
        },
        command);
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return track(task, () -> call(task));
  }

  @Override
  public Future<?> submit(Runnable task) {
    Objects.requireNonNull(task, "task");
    return track(
        () -> {
          task.run();
          return null;
        },
        task);
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    Objects.requireNonNull(task, "task");
    return track(
        () -> {
          task.run();
          return result;
        },
        task);
  }

  private static void call(Callable<?> task) {
    try {
      task.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> callables)
      throws InterruptedException {
    Objects.requireNonNull(callables, "tasks");
    List<Future<T>> futures = new ArrayList<>(callables.size());
    try {
      for (Callable<T> c : callables) {
        futures.add(submit(Objects.requireNonNull(c, "task")));
      }
      for (Future<T> f : futures) {
        awaitQuietly(f);
      }
      return futures;
    } catch (Throwable t) {
      cancelAll(futures);
      throw t;
    }
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> callables, long timeout, TimeUnit unit)
      throws InterruptedException {
    Objects.requireNonNull(callables, "tasks");
    Objects.requireNonNull(unit, "unit");
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    List<Future<T>> futures = new ArrayList<>(callables.size());
    try {
      for (Callable<T> c : callables) {
        futures.add(submit(Objects.requireNonNull(c, "task")));
      }
      for (Future<T> f : futures) {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          cancelAll(futures);
          return futures;
        }
        try {
          f.get(nanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CancellationException e) {
          // the future holds it
        } catch (TimeoutException e) {
          cancelAll(futures);
          return futures;
        }
      }
      return futures;
    } catch (Throwable t) {
      cancelAll(futures);
      throw t;
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> callables)
      throws InterruptedException, ExecutionException {
    try {
      return invokeAny(callables, false, 0L);
    } catch (TimeoutException e) {
      throw new AssertionError("untimed invokeAny timed out", e);
    }
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> callables, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    Objects.requireNonNull(unit, "unit");
    return invokeAny(callables, true, System.nanoTime() + unit.toNanos(timeout));
  }

  /**
   * Runs the tasks, returns the first successful result and cancels the rest. Waits on its own
   * channel of finished tasks, giving the caller's slot back meanwhile if it is a task of the group
   * (so that a one-slot group does not deadlock).
   */
  @SuppressWarnings("unchecked")
  private <T> T invokeAny(Collection<? extends Callable<T>> callables, boolean timed, long deadline)
      throws InterruptedException, ExecutionException, TimeoutException {
    Objects.requireNonNull(callables, "tasks");
    if (callables.isEmpty()) {
      throw new IllegalArgumentException("tasks must not be empty");
    }
    LinkedChannel<GroupTask<?>> finished = new LinkedChannel<>();
    List<GroupTask<T>> submitted = new ArrayList<>(callables.size());
    try {
      for (Callable<T> c : callables) {
        Callable<T> task = Objects.requireNonNull(c, "task");
        submitted.add(track(task, () -> call(task), finished::offer));
      }
      ExecutionException last = null;
      for (int i = 0; i < submitted.size(); i++) {
        GroupTask<T> done =
            (GroupTask<T>) group.awaitReleasingSlot(() -> finished.take(timed, deadline));
        if (done == null) {
          throw new TimeoutException("no task succeeded in time");
        }
        try {
          return done.get();
        } catch (ExecutionException e) {
          last = e;
        } catch (CancellationException e) {
          last = new ExecutionException(e);
        }
      }
      throw last;
    } finally {
      cancelAll(submitted);
    }
  }

  private static void awaitQuietly(Future<?> f) throws InterruptedException {
    try {
      f.get();
    } catch (ExecutionException | CancellationException e) {
      // the future holds it
    }
  }

  private static void cancelAll(List<? extends Future<?>> futures) {
    for (Future<?> f : futures) {
      f.cancel(true);
    }
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      signalIfTerminatedLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    List<Map.Entry<GroupTask<?>, Runnable>> snapshot;
    lock.lock();
    try {
      shutdown = true;
      snapshot = new ArrayList<>(tasks.entrySet());
      signalIfTerminatedLocked();
    } finally {
      lock.unlock();
    }
    List<Runnable> neverStarted = new ArrayList<>();
    for (Map.Entry<GroupTask<?>, Runnable> e : snapshot) {
      GroupTask<?> task = e.getKey();
      if (task.cancel(true) && task.cancelledUnstarted) {
        neverStarted.add(e.getValue());
      }
    }
    return neverStarted;
  }

  @Override
  public boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isTerminated() {
    lock.lock();
    try {
      return isTerminatedLocked();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (!isTerminatedLocked()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = terminated.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "ExecutorService view of "
        + group
        + (isTerminated() ? " [terminated]" : isShutdown() ? " [shut down]" : "");
  }
}
