package dev.sluice.internal;

import dev.sluice.Task;
import dev.sluice.TaskGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A task of a {@link Group}: the code, its outcome, its waiters and its place in the group's
 * bookkeeping.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>States.</b> One volatile field, {@link #owner}, holds the state: {@code null} while queued,
 * the claiming {@link Runner} while running, or a marker for {@code SUCCEEDED}, {@code FAILED},
 * {@code CANCELLED} and {@code INTERRUPTING}. Transitions: {@code queued -> runner -> SUCCEEDED |
 * FAILED | CANCELLED}, {@code queued -> CANCELLED}, and {@code runner -> INTERRUPTING -> CANCELLED}
 * for {@code cancel(true)} of a running task. Every transition is a CAS on {@link #owner}, so
 * exactly one thread wins each: the claim (by a runner, or by a waiter that runs the task inline),
 * the outcome (by the runner that ran the code), or the cancel. Because the claim CAS also
 * publishes who runs the task, a canceller that wins {@code runner -> INTERRUPTING} knows the
 * thread to interrupt, and a runner that re-reads the field before calling the code sees any cancel
 * that came first. {@link #outcome} (the value or the failure, by state) is written before the CAS
 * that publishes it and read only after seeing that state. A task cancelled while running is done
 * at once (as {@link java.util.concurrent.FutureTask} does) but stays pending in its group until
 * its code returns.
 *
 * <p><b>Interrupting.</b> {@code cancel(true)} of a running task moves it to {@code INTERRUPTING},
 * interrupts the runner's thread, then sets {@code CANCELLED}. The runner, when its outcome CAS
 * fails, waits out {@code INTERRUPTING} before it clears the interrupt, so the interrupt never
 * leaks into the runner's next task.
 *
 * <p><b>Waiters.</b> A Treiber stack of parked threads ({@link #waiters}), allocated only when
 * someone actually waits; {@link #releaseWaiters()} runs after the terminal state is written and
 * empties it, so a waiter that pushed itself before that is unparked, and one that pushes after
 * re-reads the state and returns (as in {@code FutureTask}).
 *
 * <p><b>Counting.</b> {@link #counted} says whether the task holds its own unit of the group's
 * pending count (tasks in shared queues do; follow-ups in a runner's own deque are covered by that
 * runner's unit instead). It is written before the task is published to any queue.
 */
class GroupTask<T> implements Task<T> {
  static final int QUEUED = 0;
  static final int RUNNING = 1;
  static final int SUCCEEDED = 2;
  static final int FAILED = 3;
  static final int CANCELLED = 4;
  static final int INTERRUPTING = 5;

  /** A terminal or transient state in {@link #owner}. */
  private static final class Marker {
    final int state;

    Marker(int state) {
      this.state = state;
    }
  }

  private static final Marker SUCCEEDED_MARK = new Marker(SUCCEEDED);
  private static final Marker FAILED_MARK = new Marker(FAILED);
  private static final Marker CANCELLED_MARK = new Marker(CANCELLED);
  private static final Marker INTERRUPTING_MARK = new Marker(INTERRUPTING);

  private static final VarHandle OWNER;
  private static final VarHandle WAITERS;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      OWNER = l.findVarHandle(GroupTask.class, "owner", Object.class);
      WAITERS = l.findVarHandle(GroupTask.class, "waiters", WaitNode.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Group group;

  /** A {@link Callable} or a {@link TaskGroup.Action}; null for subclasses that override call. */
  private final @Nullable Object code;

  /** Submitted from outside the group: counts against {@code maxPending} while queued. */
  final boolean fromOutside;

  /** Submitted through the executor view: its failure is its own, not the group's. */
  final boolean isolated;

  /** Holds its own unit of the group's pending count; written before publication. */
  boolean counted;

  /** Set when {@code cancel(true)} interrupted the thread running it. */
  volatile boolean interruptedByCancel;

  /** Set when the task was cancelled before it started. */
  volatile boolean cancelledUnstarted;

  /** The state; see the overview. */
  private volatile @Nullable Object owner;

  private @Nullable Object outcome;
  private volatile @Nullable WaitNode waiters;

  GroupTask(Group group, Callable<T> callable, boolean fromOutside, boolean isolated) {
    this.group = group;
    this.code = callable;
    this.fromOutside = fromOutside;
    this.isolated = isolated;
  }

  GroupTask(Group group, TaskGroup.Action action, boolean fromOutside) {
    this.group = group;
    this.code = action;
    this.fromOutside = fromOutside;
    this.isolated = false;
  }

  /** For subclasses that override {@link #call()}. */
  GroupTask(Group group, boolean fromOutside, boolean isolated) {
    this.group = group;
    this.code = null;
    this.fromOutside = fromOutside;
    this.isolated = isolated;
  }

  /** Runs the task's code once. */
  @SuppressWarnings("unchecked")
  @Nullable T call() throws Exception {
    if (code instanceof TaskGroup.Action action) {
      action.run();
      return null;
    }
    return ((Callable<T>) Objects.requireNonNull(code)).call();
  }

  /**
   * Called once, by whichever thread uncounts the task, when the group stops counting it; for
   * subclasses (the executor view's and {@code mapConcurrent}'s tasks).
   */
  void finished() {}

  // ------------------------------------------------------------- transitions

  /** The state as one of the constants. */
  int status() {
    Object o = owner;
    if (o == null) {
      return QUEUED;
    }
    return o instanceof Marker m ? m.state : RUNNING;
  }

  /** {@code queued -> runner}; true if the caller now owns the task. */
  boolean claim(Runner runner) {
    return owner == null && OWNER.compareAndSet(this, null, runner);
  }

  /** Whether {@code runner} still owns the task (it was not cancelled since the claim). */
  boolean ownedBy(Runner runner) {
    return owner == runner;
  }

  /** {@code queued -> CANCELLED}; true if the caller dropped the task unrun. */
  boolean cancelQueued() {
    if (owner == null && OWNER.compareAndSet(this, null, CANCELLED_MARK)) {
      cancelledUnstarted = true;
      releaseWaiters();
      return true;
    }
    return false;
  }

  /** {@code runner -> SUCCEEDED}; false if the task was cancelled meanwhile. */
  boolean succeed(Runner runner, @Nullable T result) {
    outcome = result;
    if (OWNER.compareAndSet(this, runner, SUCCEEDED_MARK)) {
      releaseWaiters();
      return true;
    }
    outcome = null;
    return false;
  }

  /** {@code runner -> FAILED}; false if the task was cancelled meanwhile. */
  boolean fail(Runner runner, Throwable cause) {
    outcome = cause;
    if (OWNER.compareAndSet(this, runner, FAILED_MARK)) {
      releaseWaiters();
      return true;
    }
    outcome = null;
    return false;
  }

  /** {@code runner -> CANCELLED} by its own runner (its code gave up, or never started). */
  boolean cancelRunning(Runner runner) {
    if (OWNER.compareAndSet(this, runner, CANCELLED_MARK)) {
      releaseWaiters();
      return true;
    }
    return false;
  }

  /**
   * Cancels a running task from any thread; with {@code interrupt}, interrupts its runner.
   *
   * @return true if this call cancelled it
   */
  boolean cancelWhileRunning(boolean interrupt) {
    Object o = owner;
    if (!(o instanceof Runner runner)) {
      return false;
    }
    if (!interrupt) {
      if (OWNER.compareAndSet(this, runner, CANCELLED_MARK)) {
        releaseWaiters();
        return true;
      }
      return false;
    }
    if (!OWNER.compareAndSet(this, runner, INTERRUPTING_MARK)) {
      return false;
    }
    try {
      Thread t = runner.thread;
      if (t != null) {
        interruptedByCancel = true;
        t.interrupt();
      }
    } finally {
      OWNER.setVolatile(this, CANCELLED_MARK);
      releaseWaiters();
    }
    return true;
  }

  /**
   * Waits until a concurrent {@code cancel(true)} has delivered its interrupt, if one is under way.
   */
  void awaitInterruptDelivered() {
    while (owner == INTERRUPTING_MARK) {
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** The result; only after seeing {@code SUCCEEDED}. */
  @SuppressWarnings("unchecked")
  @Nullable T value() {
    return (T) outcome;
  }

  /** The failure; only after seeing {@code FAILED}. */
  @Nullable Throwable failure() {
    return (Throwable) outcome;
  }

  boolean isTerminal() {
    return owner instanceof Marker;
  }

  // ---------------------------------------------------------------- waiting

  private static final class WaitNode {
    volatile @Nullable Thread thread = Thread.currentThread();
    @Nullable WaitNode next;
  }

  private void releaseWaiters() {
    for (WaitNode q; (q = waiters) != null; ) {
      if (WAITERS.compareAndSet(this, q, null)) {
        for (; q != null; q = q.next) {
          Thread t = q.thread;
          if (t != null) {
            q.thread = null;
            LockSupport.unpark(t);
          }
        }
        return;
      }
    }
  }

  /**
   * Parks until the task's terminal state is published (state {@code INTERRUPTING} counts as not
   * yet: waiters are released when it becomes {@code CANCELLED}).
   *
   * @return false if {@code timed} and the deadline passed first
   */
  boolean awaitDone(boolean timed, long deadline) throws InterruptedException {
    WaitNode node = null;
    boolean queued = false;
    while (true) {
      Object s = owner;
      if (s instanceof Marker && s != INTERRUPTING_MARK) {
        if (node != null) {
          node.thread = null;
        }
        return true;
      }
      if (Thread.interrupted()) {
        if (node != null) {
          node.thread = null;
        }
        throw new InterruptedException();
      }
      if (s == INTERRUPTING_MARK) {
        Thread.onSpinWait();
        continue;
      }
      if (node == null) {
        node = new WaitNode();
      } else if (!queued) {
        WaitNode head = waiters;
        node.next = head;
        queued = WAITERS.compareAndSet(this, head, node);
      } else if (timed) {
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          node.thread = null;
          return false;
        }
        LockSupport.parkNanos(this, nanos);
      } else {
        LockSupport.park(this);
      }
    }
  }

  // -------------------------------------------------------------- the API

  @Override
  public TaskGroup group() {
    return group;
  }

  @Override
  public T join() throws InterruptedException {
    if (!isDone()) {
      group.await(this, false, 0L);
    }
    return switch (status()) {
      case SUCCEEDED -> value();
      case FAILED -> throw new CompletionException(failure());
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
    return switch (status()) {
      case SUCCEEDED -> value();
      case FAILED -> throw new ExecutionException(failure());
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
    return status() >= CANCELLED;
  }

  @Override
  public boolean isDone() {
    return owner instanceof Marker;
  }

  @Override
  public String toString() {
    String s =
        switch (status()) {
          case QUEUED -> "queued";
          case RUNNING -> "running";
          case SUCCEEDED -> "succeeded";
          case FAILED -> "failed: " + failure();
          default -> "cancelled";
        };
    return "Task[" + s + "] of group '" + group.name() + "'";
  }
}
