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

/**
 * The {@link java.util.concurrent.ExecutorService} view of a {@link Group}.
 *
 * <h2>Implementation overview</h2>
 *
 * Tasks go to the group as <em>isolated</em> tasks: a failure completes their future and nothing
 * else. The view tracks its own unfinished tasks in {@link #tasks} (task to the {@code Runnable}
 * that {@code shutdownNow} would return), removed by the group's finish hook, which runs under the
 * group's lock (lock order: group, then view; the view never calls into the group while holding its
 * own lock). {@link #lock} guards {@link #shutdown} and {@link #tasks}; {@link #terminated} is
 * signalled when the view is shut down and has no task left.
 */
final class GroupExecutor extends AbstractExecutorService {
  private final Group group;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition terminated = lock.newCondition();
  private boolean shutdown;
  private final Map<GroupTask<?>, Runnable> tasks = new LinkedHashMap<>();

  GroupExecutor(Group group) {
    this.group = group;
  }

  private <T> GroupTask<T> track(Callable<T> callable, Runnable asRunnable) {
    lock.lock();
    try {
      if (shutdown) {
        throw new RejectedExecutionException(
            "executor view of task group '" + group.name() + "' is shut down");
      }
    } finally {
      lock.unlock();
    }
    // Registered by the group under its lock before the task can start or finish.
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
          lock.lock();
          try {
            tasks.remove(task);
            if (shutdown && tasks.isEmpty()) {
              terminated.signalAll();
            }
          } finally {
            lock.unlock();
          }
        });
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
      if (tasks.isEmpty()) {
        terminated.signalAll();
      }
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
      if (tasks.isEmpty()) {
        terminated.signalAll();
      }
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
      return shutdown && tasks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (!(shutdown && tasks.isEmpty())) {
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
