package dev.sluice.internal;

import dev.sluice.Backoff;
import dev.sluice.Completion;
import dev.sluice.FailurePolicy;
import dev.sluice.Task;
import dev.sluice.TaskGroup;
import dev.sluice.TaskGroupException;
import dev.sluice.TaskGroupStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TaskGroup} implementation.
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Slots.</b> {@link #running} counts concurrency slots held, at most {@link #maxConcurrency}.
 * A slot is held by a {@link Runner} thread while it executes a task (a task run inline by a waiter
 * uses the waiter's slot). A slot is released only through {@link #releaseSlotLocked}, which hands
 * it on in this order: to a task resuming after a nested wait ({@link #resumers}, FIFO), else to
 * the next queued task (follow-ups first, newest first; then outside work, oldest first), else it
 * becomes free. Hence the invariant: <em>a free slot implies nothing is queued and nobody waits to
 * resume</em>, which is why {@code submit} can start a task at once whenever {@code running <
 * maxConcurrency}.
 *
 * <p><b>Threads.</b> A task that gets a slot goes to an idle runner if one waits (platform groups
 * keep runners for {@link #KEEP_ALIVE_NANOS}; virtual ones do not, threads being cheap), else to a
 * new runner thread. After each task a runner takes the next queued task with its slot still held,
 * or releases the slot and idles or exits.
 *
 * <p><b>Pending.</b> {@link #pending} is +1 on submit and -1 when a task's code has returned (or a
 * queued task is cancelled). {@link #join()} waits for zero on {@link #quiescent}. A task's
 * follow-ups are submitted while it runs, so they are counted before it is uncounted: zero is
 * exact.
 *
 * <p><b>Nested waits.</b> {@link #await} from a task of this group: a queued awaited task is
 * claimed and run inline; a running one makes the waiter release its slot, wait, and reacquire a
 * slot (as a resumer, ahead of queued work) before it returns, so the number of tasks executing
 * never exceeds the limit and no wait can starve every slot.
 *
 * <p><b>Failure.</b> A failure is recorded before its task is uncounted, so {@code join} sees it.
 * Fail-fast cancels: queued tasks are cancelled and uncounted, runners executing tasks are
 * interrupted, new work is refused. An {@link InterruptedException} (or cancellation) from a task
 * after cancellation is not a failure.
 *
 * <p>{@link #lock} guards every mutable field not marked otherwise. The lock is also every
 * happens-before edge: submit to task start, task end to {@code join}/{@code Task.join} return.
 */
public final class Group implements TaskGroup {

  /** The runner whose task the calling thread is running (set for the runner's whole life). */
  private static final ThreadLocal<@Nullable Runner> CURRENT = new ThreadLocal<>();

  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long KEEP_ALIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** The group whose task the calling thread is running, or null. */
  public static @Nullable Group current() {
    Runner runner = CURRENT.get();
    return runner == null ? null : runner.group();
  }

  private boolean isInside() {
    Runner runner = CURRENT.get();
    return runner != null && runner.group() == this;
  }

  private final String name;
  private final int maxConcurrency;
  private final int maxPending;
  private final ThreadFactory threadFactory;
  private final boolean keepRunners;
  private final FailurePolicy failurePolicy;
  private final int maxAttempts;
  private final Backoff backoff;
  private final Predicate<? super Throwable> retryOn;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition quiescent = lock.newCondition();
  private final Condition backlogRoom = lock.newCondition();
  private final Condition runnersGone = lock.newCondition();

  private final ArrayDeque<GroupTask<?>> followUps = new ArrayDeque<>();
  private final ArrayDeque<GroupTask<?>> outside = new ArrayDeque<>();
  private int outsideQueued;
  private int running;
  private final ArrayDeque<Runner> idle = new ArrayDeque<>();
  private final ArrayDeque<Resumer> resumers = new ArrayDeque<>();
  private final Set<Runner> runners = new HashSet<>();
  private final List<Thread> exited = new ArrayList<>();
  private long pending;
  private long submitted;
  private long completed;
  private long failed;
  private long retried;
  private long cancelledTasks;
  private final List<Throwable> failures = new ArrayList<>();
  private int reportedFailures;
  private volatile boolean cancelled;
  private boolean cancelledByUser;
  private boolean closed;

  /** Creates an open group; arguments were checked by the builder. */
  public Group(
      @Nullable String name,
      int maxConcurrency,
      int maxPending,
      @Nullable ThreadFactory threadFactory,
      boolean platformThreads,
      FailurePolicy failurePolicy,
      int maxAttempts,
      Backoff backoff,
      Predicate<? super Throwable> retryOn) {
    this.name = name != null ? name : "group-" + IDS.incrementAndGet();
    this.maxConcurrency = maxConcurrency;
    this.maxPending = maxPending;
    String prefix = "sluice-" + this.name + "-";
    if (threadFactory != null) {
      this.threadFactory = threadFactory;
      this.keepRunners = true;
    } else if (platformThreads) {
      this.threadFactory = Thread.ofPlatform().name(prefix, 1).factory();
      this.keepRunners = true;
    } else {
      this.threadFactory = Thread.ofVirtual().name(prefix, 1).factory();
      this.keepRunners = false;
    }
    this.failurePolicy = failurePolicy;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.retryOn = retryOn;
  }

  @Override
  public String name() {
    return name;
  }

  // --------------------------------------------------------------- submitting

  @Override
  public <T> Task<T> submit(Callable<T> task) {
    return submit(Objects.requireNonNull(task, "task"), false);
  }

  @Override
  public Task<@Nullable Void> submit(Action task) {
    Objects.requireNonNull(task, "task");
    return submit(
        () -> {
          task.run();
          return null;
        },
        false);
  }

  private <T> GroupTask<T> submit(Callable<T> callable, boolean isolated) {
    return submit(callable, isolated, null, null);
  }

  /**
   * Submits a task whose failure is its own (for the executor view). {@code onSubmitted} runs under
   * the group's lock before the task can start; {@code onFinished} when the group stops counting
   * it.
   */
  <T> GroupTask<T> submitIsolated(
      Callable<T> callable, Consumer<GroupTask<?>> onSubmitted, Consumer<GroupTask<?>> onFinished) {
    return submit(callable, true, onSubmitted, onFinished);
  }

  private <T> GroupTask<T> submit(
      Callable<T> callable,
      boolean isolated,
      @Nullable Consumer<GroupTask<?>> onSubmitted,
      @Nullable Consumer<GroupTask<?>> onFinished) {
    boolean inside = isInside();
    GroupTask<T> task = new GroupTask<>(this, callable, !inside, isolated);
    if (onFinished != null) {
      task.onFinished = () -> onFinished.accept(task);
    }
    Runner toStart;
    lock.lock();
    try {
      checkAcceptingLocked();
      if (!inside) {
        while (outsideQueued >= maxPending) {
          try {
            backlogRoom.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException(
                "interrupted while waiting for room in the backlog of task group '" + name + "'",
                e);
          }
          checkAcceptingLocked();
        }
      }
      submitted++;
      pending++;
      if (onSubmitted != null) {
        onSubmitted.accept(task);
      }
      if (running < maxConcurrency) {
        running++;
        task.state = GroupTask.RUNNING;
        toStart = dispatchLocked(task);
      } else {
        if (inside) {
          followUps.addFirst(task);
        } else {
          outside.addLast(task);
          outsideQueued++;
        }
        toStart = null;
      }
    } finally {
      lock.unlock();
    }
    if (toStart != null) {
      toStart.start();
    }
    return task;
  }

  private void checkAcceptingLocked() {
    if (cancelled) {
      throw new RejectedExecutionException("task group '" + name + "' is cancelled");
    }
    if (closed) {
      throw new RejectedExecutionException("task group '" + name + "' is closed");
    }
  }

  /**
   * Gives a claimed task, whose slot is already counted, to an idle runner, or makes a new runner
   * that the caller must {@linkplain Runner#start() start} after unlocking.
   */
  private @Nullable Runner dispatchLocked(GroupTask<?> task) {
    Runner runner = idle.pollFirst();
    if (runner != null) {
      runner.handoff = task;
      task.runner = runner;
      runner.wake.signal();
      return null;
    }
    runner = new Runner(task);
    task.runner = runner;
    runners.add(runner);
    return runner;
  }

  /** The next queued task, claimed (state RUNNING), or null; follow-ups first. */
  private @Nullable GroupTask<?> pollLocked() {
    GroupTask<?> task;
    while ((task = followUps.pollFirst()) != null) {
      if (task.state == GroupTask.QUEUED) {
        task.state = GroupTask.RUNNING;
        return task;
      }
    }
    while ((task = outside.pollFirst()) != null) {
      if (task.state == GroupTask.QUEUED) {
        task.state = GroupTask.RUNNING;
        outsideQueued--;
        backlogRoom.signal();
        return task;
      }
    }
    return null;
  }

  /**
   * Releases the caller's slot: to a resumer, else to the next queued task, else frees it.
   *
   * @return a runner the caller must start after unlocking, or null
   */
  private @Nullable Runner releaseSlotLocked() {
    Resumer resumer = resumers.pollFirst();
    if (resumer != null) {
      resumer.granted = true;
      resumer.ready.signal();
      return null;
    }
    GroupTask<?> next = pollLocked();
    if (next != null) {
      return dispatchLocked(next);
    }
    running--;
    return null;
  }

  // ---------------------------------------------------------------- running

  /** A thread of the group: runs tasks, each with one slot, until there is none left for it. */
  final class Runner implements Runnable {
    final Condition wake = lock.newCondition();
    @Nullable GroupTask<?> handoff;
    @Nullable GroupTask<?> current;
    @Nullable Thread thread;

    Runner(GroupTask<?> first) {
      this.handoff = first;
    }

    void start() {
      Thread t;
      try {
        t = threadFactory.newThread(this);
        if (t == null) {
          throw new RejectedExecutionException("thread factory of group '" + name + "' refused");
        }
        t.start();
      } catch (Throwable e) {
        abortStart(this, e);
        throw e;
      }
    }

    Group group() {
      return Group.this;
    }

    @Override
    public void run() {
      CURRENT.set(this);
      GroupTask<?> task;
      lock.lock();
      try {
        thread = Thread.currentThread();
        task = takeHandoffLocked();
      } finally {
        lock.unlock();
      }
      try {
        while (task != null) {
          if (!cancelled) {
            Thread.interrupted(); // an interrupt meant for an earlier task
          }
          task = runThenNext(this, task);
        }
      } finally {
        CURRENT.remove();
        lock.lock();
        try {
          runners.remove(this);
          exited.removeIf(t -> !t.isAlive());
          exited.add(Thread.currentThread());
          if (runners.isEmpty()) {
            runnersGone.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
    }

    private @Nullable GroupTask<?> takeHandoffLocked() {
      GroupTask<?> task = handoff;
      handoff = null;
      current = task;
      return task;
    }
  }

  private void abortStart(Runner runner, Throwable e) {
    lock.lock();
    try {
      runners.remove(runner);
      GroupTask<?> task = runner.handoff;
      runner.handoff = null;
      if (task != null) {
        finishLocked(task, null, e);
        Runner other = releaseSlotLocked();
        if (other != null) {
          // Best effort: the same factory just failed, so this may fail too, and will be reported.
          lock.unlock();
          try {
            other.start();
          } finally {
            lock.lock();
          }
        }
      }
      if (runners.isEmpty()) {
        runnersGone.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs a task its runner holds a slot for, then, in the same critical section that records the
   * outcome, picks the runner's next task (slot still held) or releases the slot and idles.
   *
   * @return the next task, or null if the runner should exit
   */
  private @Nullable GroupTask<?> runThenNext(Runner self, GroupTask<?> task) {
    Outcome<?> outcome = call(task);
    Runner toStart = null;
    lock.lock();
    try {
      outcome.recordLocked();
      self.current = null;
      if (resumers.isEmpty()) {
        GroupTask<?> next = pollLocked();
        if (next != null) {
          next.runner = self;
          self.current = next;
          return next;
        }
      }
      toStart = releaseSlotLocked();
      if (!keepRunners || cancelled || closed) {
        return null;
      }
      idle.addFirst(self);
      long nanos = KEEP_ALIVE_NANOS;
      while (self.handoff == null) {
        if (nanos <= 0 || cancelled || closed) {
          idle.remove(self);
          return null;
        }
        try {
          nanos = self.wake.awaitNanos(nanos);
        } catch (InterruptedException e) {
          nanos = 0; // nobody interrupts idle runners on purpose; leave
        }
      }
      return self.takeHandoffLocked();
    } finally {
      lock.unlock();
      if (toStart != null) {
        toStart.start();
      }
    }
  }

  /** A task's result or failure, to be recorded under the lock. */
  private final class Outcome<T> {
    final GroupTask<T> task;
    final @Nullable T value;
    final @Nullable Throwable failure;

    Outcome(GroupTask<T> task, @Nullable T value, @Nullable Throwable failure) {
      this.task = task;
      this.value = value;
      this.failure = failure;
    }

    void recordLocked() {
      finishLocked(task, value, failure);
    }
  }

  /**
   * Runs a claimed task's code, with retries, on the calling thread; records nothing. The caller
   * registered the task as its runner's {@code current} under the lock before, so a cancel either
   * happened before (seen here: the code never starts) or interrupts this thread.
   */
  private <T> Outcome<T> call(GroupTask<T> task) {
    if (cancelled || task.isTerminal()) {
      return new Outcome<>(task, null, new CancellationException("cancelled before it started"));
    }
    T value = null;
    Throwable failure = null;
    for (int attempt = 1; ; attempt++) {
      try {
        value = task.callable.call();
        failure = null;
        break;
      } catch (Throwable t) {
        if (failure != null) {
          t.addSuppressed(failure);
        }
        failure = t;
      }
      if (cancelled || task.isTerminal() || attempt >= maxAttempts) {
        break;
      }
      long delayNanos;
      try {
        if (!retryOn.test(failure)) {
          break;
        }
        delayNanos = backoff.delay(attempt).toNanos();
      } catch (RuntimeException | Error e) { // the user's predicate or backoff failed
        e.addSuppressed(failure);
        failure = e;
        break;
      }
      lock.lock();
      try {
        retried++;
      } finally {
        lock.unlock();
      }
      try {
        if (delayNanos > 0) {
          TimeUnit.NANOSECONDS.sleep(delayNanos);
        }
      } catch (InterruptedException e) {
        e.addSuppressed(failure);
        failure = e;
        break;
      }
    }
    return new Outcome<>(task, value, failure);
  }

  private <T> void finishLocked(GroupTask<T> task, @Nullable T value, @Nullable Throwable failure) {
    if (task.isTerminal()) {
      // cancelled while running: the outcome is discarded
    } else if (failure == null) {
      task.succeed(value);
      completed++;
    } else if ((cancelled || task.isCancelled()) && isCancellation(failure)) {
      task.markCancelled();
      cancelledTasks++;
    } else {
      task.fail(failure);
      failed++;
      if (!task.isolated) {
        failures.add(failure);
        if (failurePolicy == FailurePolicy.FAIL_FAST) {
          cancelLocked(false);
        }
      }
    }
    task.runner = null;
    uncountLocked(task);
  }

  /** A task has finished in the group's terms: its code returned, or it was dropped unrun. */
  private void uncountLocked(GroupTask<?> task) {
    task.finished();
    if (--pending == 0) {
      quiescent.signalAll();
    }
  }

  private static boolean isCancellation(Throwable t) {
    return t instanceof InterruptedException
        || t instanceof CancellationException
        || t instanceof java.nio.channels.ClosedByInterruptException;
  }

  // ---------------------------------------------------------- waiting on tasks

  /**
   * Waits until {@code task} is done. From a task of this group: runs it inline if it is still
   * queued, or gives this thread's slot back while it waits.
   *
   * @return false if {@code timed} and the deadline passed first
   */
  boolean await(GroupTask<?> task, boolean timed, long deadline) throws InterruptedException {
    Runner self = CURRENT.get();
    if (self == null || self.group() != this) {
      return waitDone(task, timed, deadline);
    }
    Runner toStart;
    boolean inline;
    lock.lock();
    try {
      if (task.isTerminal()) {
        return true;
      }
      if (task.state == GroupTask.QUEUED) {
        task.state = GroupTask.RUNNING; // claimed: run it inline, on our slot
        if (task.fromOutside) {
          outsideQueued--;
          backlogRoom.signal();
        }
        task.runner = self;
        toStart = null;
        inline = true;
      } else if (self.current == task) {
        throw new IllegalStateException("a task cannot wait for itself: " + task);
      } else {
        toStart = releaseSlotLocked();
        inline = false;
      }
    } finally {
      lock.unlock();
    }
    if (inline) {
      runInline(self, task);
      return true;
    }
    if (toStart != null) {
      toStart.start();
    }
    return waitWithoutSlot(task, timed, deadline);
  }

  private void runInline(Runner self, GroupTask<?> task) {
    GroupTask<?> outer = self.current;
    setCurrent(self, task);
    Outcome<?> outcome = call(task);
    lock.lock();
    try {
      outcome.recordLocked();
      self.current = outer;
      // An interrupt that cancelled the inline task was meant for it, not for its waiter.
      if (task.interruptedByCancel && !cancelled && (outer == null || !outer.isTerminal())) {
        Thread.interrupted();
      }
    } finally {
      lock.unlock();
    }
  }

  private void setCurrent(Runner runner, @Nullable GroupTask<?> task) {
    lock.lock();
    try {
      runner.current = task;
    } finally {
      lock.unlock();
    }
  }

  /** A blocking wait, for {@link #awaitReleasingSlot}. */
  @FunctionalInterface
  interface BlockingWait<T> {
    T get() throws InterruptedException;
  }

  /**
   * Runs a blocking wait; if the caller is a task of this group, it gives its slot back meanwhile
   * and takes one again (ahead of queued work) before returning, as a nested {@link #await} does.
   * For waits on the group's own work through other means than a task ({@code mapConcurrent},
   * {@code invokeAny}), so that they cannot deadlock either.
   */
  <T> T awaitReleasingSlot(BlockingWait<T> wait) throws InterruptedException {
    Runner self = CURRENT.get();
    if (self == null || self.group() != this) {
      return wait.get();
    }
    Runner toStart;
    lock.lock();
    try {
      toStart = releaseSlotLocked();
    } finally {
      lock.unlock();
    }
    if (toStart != null) {
      toStart.start();
    }
    try {
      return wait.get();
    } finally {
      reacquireSlot();
    }
  }

  private boolean waitWithoutSlot(GroupTask<?> task, boolean timed, long deadline)
      throws InterruptedException {
    InterruptedException interrupted = null;
    boolean done = true;
    try {
      done = waitDone(task, timed, deadline);
    } catch (InterruptedException e) {
      interrupted = e;
    }
    reacquireSlot();
    if (interrupted != null) {
      throw interrupted;
    }
    return done;
  }

  private static boolean waitDone(GroupTask<?> task, boolean timed, long deadline)
      throws InterruptedException {
    if (!timed) {
      task.done.await();
      return true;
    }
    return task.done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  /** Takes a slot again after a nested wait, ahead of queued work; uninterruptible. */
  private void reacquireSlot() {
    lock.lock();
    try {
      if (running < maxConcurrency) {
        running++; // free slot: nothing queued, nobody resuming (invariant)
        return;
      }
      Resumer self = new Resumer();
      resumers.addLast(self);
      while (!self.granted) {
        self.ready.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  private final class Resumer {
    final Condition ready = lock.newCondition();
    boolean granted;
  }

  // ------------------------------------------------------------- cancelling

  boolean cancelTask(GroupTask<?> task, boolean mayInterrupt) {
    lock.lock();
    try {
      int state = task.state;
      if (state == GroupTask.QUEUED) {
        task.cancelledUnstarted = true;
        task.markCancelled();
        cancelledTasks++;
        if (task.fromOutside) {
          outsideQueued--;
          backlogRoom.signal();
        }
        uncountLocked(task);
        return true;
      }
      if (state == GroupTask.RUNNING) {
        task.markCancelled(); // done now; still pending until its code returns
        cancelledTasks++;
        Runner runner = task.runner;
        if (mayInterrupt && runner != null && runner.current == task && runner.thread != null) {
          task.interruptedByCancel = true;
          runner.thread.interrupt();
        }
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void cancel() {
    lock.lock();
    try {
      cancelLocked(true);
    } finally {
      lock.unlock();
    }
  }

  private void cancelLocked(boolean byUser) {
    if (cancelled) {
      return;
    }
    cancelled = true;
    cancelledByUser = byUser && failures.isEmpty();
    for (ArrayDeque<GroupTask<?>> queue : List.of(followUps, outside)) {
      for (GroupTask<?> task : queue) {
        if (task.state == GroupTask.QUEUED) {
          task.cancelledUnstarted = true;
          task.markCancelled();
          cancelledTasks++;
          uncountLocked(task);
        }
      }
      queue.clear();
    }
    outsideQueued = 0;
    // Every runner executing a task, this thread included: it may be a waiter that ran the failing
    // task inline and would otherwise go on with its own task.
    for (Runner runner : runners) {
      if (runner.current != null && runner.thread != null) {
        runner.thread.interrupt();
      }
    }
    for (Runner runner : idle) {
      runner.wake.signal();
    }
    backlogRoom.signalAll();
    if (pending == 0) {
      quiescent.signalAll();
    }
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  // ------------------------------------------------------------ join, close

  @Override
  public void join() throws InterruptedException {
    checkNotInside("join()");
    lock.lock();
    try {
      while (pending > 0) {
        quiescent.await();
      }
      reportLocked();
    } finally {
      lock.unlock();
    }
  }

  private void checkNotInside(String method) {
    if (isInside()) {
      throw new IllegalStateException(
          method
              + " called from a task of task group '"
              + name
              + "' would wait for itself; wait for specific tasks with Task.join()");
    }
  }

  /** Throws what the caller of join or close must see; the caller holds the lock. */
  private void reportLocked() {
    if (failures.size() > reportedFailures) {
      List<Throwable> report =
          failurePolicy == FailurePolicy.FAIL_FAST
              ? List.copyOf(failures)
              : List.copyOf(failures.subList(reportedFailures, failures.size()));
      reportedFailures = failures.size();
      throw new TaskGroupException(name, report);
    }
    if (failurePolicy == FailurePolicy.FAIL_FAST && !failures.isEmpty()) {
      throw new TaskGroupException(name, List.copyOf(failures));
    }
    if (cancelledByUser) {
      throw new CancellationException("task group '" + name + "' was cancelled");
    }
  }

  @Override
  public void close() {
    checkNotInside("close()");
    boolean interrupted = false;
    List<Thread> threads;
    boolean unreported;
    lock.lock();
    try {
      while (pending > 0) {
        try {
          quiescent.await();
        } catch (InterruptedException e) {
          interrupted = true;
          cancelLocked(true);
        }
      }
      closed = true;
      for (Runner runner : idle) {
        runner.wake.signal();
      }
      backlogRoom.signalAll();
      while (!runners.isEmpty()) {
        runnersGone.awaitUninterruptibly();
      }
      threads = new ArrayList<>(exited);
      exited.clear();
      unreported = failures.size() > reportedFailures;
    } finally {
      lock.unlock();
    }
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (unreported) {
      lock.lock();
      try {
        reportLocked();
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public TaskGroupStats stats() {
    lock.lock();
    try {
      return new TaskGroupStats(
          submitted, running, pending, completed, failed, retried, cancelledTasks);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <I, O> Stream<Completion<I, O>> mapConcurrent(
      Iterator<? extends I> inputs,
      int maxInFlight,
      Order order,
      Mapper<? super I, ? extends O> fn) {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(fn, "fn");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
    }
    return new MapConcurrent<I, O>(this, inputs, maxInFlight, order == Order.INPUT, fn).stream();
  }

  @Override
  public <I, O> Stream<Completion<I, O>> mapConcurrent(
      Iterator<? extends I> inputs, Mapper<? super I, ? extends O> fn) {
    if (maxConcurrency == Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "mapConcurrent without maxInFlight uses maxConcurrency, which is unbounded in task group '"
              + name
              + "': pass maxInFlight, or build the group with maxConcurrency(n)");
    }
    return mapConcurrent(inputs, maxConcurrency, Order.COMPLETION, fn);
  }

  @Override
  public ExecutorService asExecutorService() {
    return new GroupExecutor(this);
  }

  @Override
  public String toString() {
    TaskGroupStats s = stats();
    return "TaskGroup['"
        + name
        + "', running="
        + s.running()
        + ", pending="
        + s.pending()
        + (cancelled ? ", cancelled" : closed ? ", closed" : "")
        + "]";
  }
}
