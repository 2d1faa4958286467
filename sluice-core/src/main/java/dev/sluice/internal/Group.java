package dev.sluice.internal;

import dev.sluice.Backoff;
import dev.sluice.Completion;
import dev.sluice.FailurePolicy;
import dev.sluice.Task;
import dev.sluice.TaskGroup;
import dev.sluice.TaskGroupException;
import dev.sluice.TaskGroupStats;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
 * <p><b>Slots.</b> {@link #running} counts concurrency slots held, never more than {@link
 * #maxConcurrency}: taken by CAS ({@link #tryAcquireSlot}), held by an active {@link Runner} across
 * the tasks it runs back to back, given back when it runs out of work or waits for another task
 * (nested wait). A slot given back while a waiter is resuming from a nested wait goes to that
 * waiter ({@link #resumers}, FIFO, under {@link #lock}); new work does not take a free slot while a
 * resumer waits.
 *
 * <p><b>Queues.</b> Outside work goes to {@link #outside} (FIFO). Follow-ups go to the submitting
 * runner's own {@link WorkDeque} (groups that keep their runners: platform threads or a thread
 * factory), from which the owner pops newest first and idle runners steal, or else (virtual
 * threads, where runners do not outlive their work) to {@link #sharedFollowUps} (newest first). A
 * runner takes follow-ups before outside work. A task leaves a queue only through its claim CAS
 * ({@link GroupTask#claim}); entries of tasks claimed inline or cancelled stay behind and are
 * skipped.
 *
 * <p><b>Pending.</b> {@link #pendingWork} is zero exactly when every submitted task has finished.
 * Each task in a shared queue holds one unit (taken at submit); each active runner holds one unit
 * that covers its current task and every task in its deque. A runner pays back the units of counted
 * tasks it finished ({@link Runner#owed}) together with its own when it deactivates, after its
 * deque is empty and its task has returned, so the count cannot reach zero early; a thief takes its
 * own unit before it steals. {@link #join()} waits for zero on {@link #quiescent}; a runner that
 * brings the count to zero signals under the lock only if someone waits ({@link #joinWaiters},
 * written under the lock before the waiter re-reads the count).
 *
 * <p><b>Waking.</b> After publishing work, a submitter fences, takes a free slot if there is one
 * (CAS on {@link #running}) and hands it, with a pending unit, to an idle runner or a new one. A
 * deactivating runner gives its slot back (an atomic decrement) before it looks for work again, so
 * either the submitter sees the free slot or the runner sees the work. A runner pushing a follow-up
 * on a deque that already held tasks skips the fence and the CAS when every slot looks taken: the
 * earlier tasks are visible to any runner that gives a slot back, and that runner steals until the
 * deque is empty. Platform runners first spin briefly (a few dozen pauses and one yield) with their
 * slot, so a steady stream of work does not park and unpark them; longer spins lost CPU to the
 * submitting thread on a 2-core machine.
 *
 * <p><b>Threads.</b> Platform runners (and those from a thread factory) park idle for {@link
 * #KEEP_ALIVE_NANOS} in {@link #idle}; virtual runners end when they find no work. Every live
 * runner is in {@link #runners} (for cancel's interrupts); {@link #liveRunners} counts them for
 * {@code close}, and each ending runner adds its thread to {@link #exited}, which {@code close}
 * joins so that no thread of the group outlives it; ended threads are pruned from that list now and
 * then, in amortized constant time per exit.
 *
 * <p><b>Nested waits.</b> {@link #await} from a task of this group: a queued awaited task is
 * claimed and run inline; a running one makes the waiter give its slot back, wait, and take a slot
 * again (as a resumer, ahead of queued work) before it returns, so the number of tasks executing
 * never exceeds the limit and no wait can starve every slot.
 *
 * <p><b>Failure.</b> A failure is recorded (under the lock) before its task is uncounted, so {@code
 * join} sees it. Fail-fast cancels: queued tasks are cancelled and uncounted, every runner is
 * interrupted (a runner clears a stale interrupt before a task only while the group is not
 * cancelled, and reads {@link #cancelled} after that, so a task either never starts or sees the
 * interrupt), new work is refused.
 *
 * <p><b>Statistics.</b> Runners batch their counts and add them to the group's adders when they
 * deactivate; a snapshot is exact whenever no runner is active (after {@code join}, say) and
 * otherwise may lag behind.
 *
 * <p>{@link #lock} guards the fields marked so, and every blocking wait except a task's own.
 */
public final class Group implements TaskGroup {

  /** The runner whose task the calling thread is running (set for the runner's whole life). */
  private static final ThreadLocal<@Nullable Runner> CURRENT = new ThreadLocal<>();

  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long KEEP_ALIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final Runner[] NO_RUNNERS = {};
  private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;
  private static final int SPINS = 32;
  private static final int YIELDS = 1;

  /** The group whose task the calling thread is running, or null. */
  public static @Nullable Group current() {
    Runner runner = CURRENT.get();
    return runner == null ? null : runner.group;
  }

  private @Nullable Runner self() {
    Runner runner = CURRENT.get();
    return runner != null && runner.group == this ? runner : null;
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

  final ReentrantLock lock = new ReentrantLock();
  private final Condition quiescent = lock.newCondition();
  private final Condition backlogRoom = lock.newCondition();
  private final Condition runnersGone = lock.newCondition();

  // ------- work
  private final ConcurrentLinkedQueue<GroupTask<?>> outside = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedDeque<GroupTask<?>> sharedFollowUps = new ConcurrentLinkedDeque<>();

  /** Runners with a deque (kept runners), copy-on-write under the lock; read to steal. */
  private volatile Runner[] workers = NO_RUNNERS;

  /** Every live runner, to interrupt on cancel. */
  private final Set<Runner> runners = ConcurrentHashMap.newKeySet();

  // ------- counts
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong pendingWork = new AtomicLong();

  /** Outside tasks queued and not yet claimed; maintained only when maxPending is bounded. */
  private final AtomicInteger outsideQueued = new AtomicInteger();

  private volatile int roomWaiters; // written under the lock
  private volatile int joinWaiters; // written under the lock
  private volatile int resumersWaiting; // written under the lock
  private final ArrayDeque<Resumer> resumers = new ArrayDeque<>(); // lock
  private final ArrayDeque<Runner> idle = new ArrayDeque<>(); // lock
  private volatile int idleCount; // written under the lock

  // ------- threads
  private final AtomicInteger liveRunners = new AtomicInteger();
  private volatile boolean closeWaiting; // written under the lock
  private final ConcurrentLinkedQueue<Thread> exited = new ConcurrentLinkedQueue<>();
  private final AtomicInteger exitedCount = new AtomicInteger();
  private final AtomicBoolean pruning = new AtomicBoolean();
  private volatile int pruneAt = 64;

  // ------- statistics
  private final LongAdder submitted = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder cancelledTasks = new LongAdder();
  private final LongAdder finished = new LongAdder();

  // ------- lifecycle
  private final List<Throwable> failures = new ArrayList<>(); // lock
  private int reportedFailures; // lock
  private volatile boolean hasFailures; // written under the lock
  private volatile boolean cancelled; // written under the lock
  private volatile boolean cancelledByUser; // written under the lock
  private volatile boolean closed; // written under the lock

  /**
   * Threads named {@code prefix1}, {@code prefix2}, ... as {@code Thread.ofVirtual().name(prefix,
   * 1).factory()} names them, but counted here: the JDK's counting factory increments through a
   * {@code VarHandle} whose first use spins six method-handle classes, in every process (no class
   * data archive holds them), on the path that starts a group's first thread.
   */
  private static ThreadFactory numbered(boolean platform, String prefix) {
    AtomicLong next = new AtomicLong(1);
    return task -> {
      String threadName = prefix + next.getAndIncrement();
      return platform
          ? Thread.ofPlatform().name(threadName).unstarted(task)
          : Thread.ofVirtual().name(threadName).unstarted(task);
    };
  }

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
    } else {
      this.threadFactory = numbered(platformThreads, prefix);
      this.keepRunners = platformThreads;
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

  private boolean backlogBounded() {
    return maxPending != Integer.MAX_VALUE;
  }

  // --------------------------------------------------------------- submitting

  @Override
  public <T> Task<T> submit(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    Runner self = self();
    return submit(new GroupTask<>(this, task, self == null, false), self, null);
  }

  @Override
  public Task<@Nullable Void> submit(Action task) {
    Objects.requireNonNull(task, "task");
    Runner self = self();
    return submit(new GroupTask<@Nullable Void>(this, task, self == null), self, null);
  }

  /**
   * Submits a task whose failure is its own (for the executor view). {@code onSubmitted} runs
   * before the task can start; {@code onFinished} when the group stops counting it.
   */
  <T> GroupTask<T> submitIsolated(
      Callable<T> callable, Consumer<GroupTask<?>> onSubmitted, Consumer<GroupTask<?>> onFinished) {
    Runner self = self();
    GroupTask<T> task = new HookedTask<>(this, callable, self == null, onFinished);
    return submit(task, self, onSubmitted);
  }

  /** Submits a task built by the caller ({@code fromOutside} must match the calling thread). */
  <T> GroupTask<T> submitBuilt(GroupTask<T> task) {
    return submit(task, self(), null);
  }

  /** Whether the calling thread runs a task of this group. */
  boolean isInside() {
    return self() != null;
  }

  /** An isolated task with a hook for when the group stops counting it. */
  private static final class HookedTask<T> extends GroupTask<T> {
    private final Consumer<GroupTask<?>> onFinished;

    HookedTask(
        Group group, Callable<T> callable, boolean fromOutside, Consumer<GroupTask<?>> onFinished) {
      super(group, callable, fromOutside, true);
      this.onFinished = onFinished;
    }

    @Override
    void finished() {
      onFinished.accept(this);
    }
  }

  private <T> GroupTask<T> submit(
      GroupTask<T> task, @Nullable Runner self, @Nullable Consumer<GroupTask<?>> onSubmitted) {
    if (self != null) {
      checkAccepting();
      if (onSubmitted != null) {
        onSubmitted.accept(task);
      }
      self.submittedDelta++;
      WorkDeque deque = self.deque;
      if (deque == null) {
        task.counted = true;
        pendingWork.incrementAndGet();
        sharedFollowUps.addFirst(task); // a CAS: the fence before reading the slot count
        if (tryAcquireSlot()) {
          wakeOrStart();
        }
      } else if (deque.push(task) || running.get() < maxConcurrency) {
        signalWorkAfterPublish();
      }
      // Else the deque held tasks already, published (and fenced) by earlier pushes, and every
      // slot looked taken: a runner that gives a slot back scans after its decrement, sees those
      // tasks and keeps stealing until the deque is empty, this task included.
      return task;
    }
    boolean reserved = false;
    if (backlogBounded()) {
      reserveBacklog();
      reserved = true;
    }
    task.counted = true;
    pendingWork.incrementAndGet();
    if (cancelled || closed) {
      uncountUnit();
      if (reserved) {
        freeBacklog();
      }
      checkAccepting();
      throw new RejectedExecutionException("task group '" + name + "' is closed");
    }
    submitted.increment();
    if (onSubmitted != null) {
      onSubmitted.accept(task);
    }
    outside.offer(task); // a CAS: the fence before reading the slot count
    try {
      if (tryAcquireSlot()) {
        wakeOrStart();
      }
    } catch (RuntimeException | Error e) {
      // No thread to run it: take the task back if nobody has claimed it yet.
      dropQueued(task);
      throw e;
    }
    return task;
  }

  private void checkAccepting() {
    if (cancelled) {
      throw rejectedAsCancelled();
    }
    if (closed) {
      throw new RejectedExecutionException("task group '" + name + "' is closed");
    }
  }

  /** Takes a place in the bounded backlog, waiting while it is full. */
  private void reserveBacklog() {
    while (true) {
      int q = outsideQueued.get();
      if (q < maxPending) {
        if (outsideQueued.compareAndSet(q, q + 1)) {
          return;
        }
        continue;
      }
      lock.lock();
      try {
        roomWaiters++;
        try {
          while (outsideQueued.get() >= maxPending) {
            checkAccepting();
            try {
              backlogRoom.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new RejectedExecutionException(
                  "interrupted while waiting for room in the backlog of task group '" + name + "'",
                  e);
            }
          }
        } finally {
          roomWaiters--;
        }
        checkAccepting();
      } finally {
        lock.unlock();
      }
    }
  }

  /** An outside task left the backlog (claimed or dropped). */
  private void freeBacklog() {
    outsideQueued.decrementAndGet();
    if (roomWaiters > 0) {
      lock.lock();
      try {
        backlogRoom.signal();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Claims a queued task for {@code self}; keeps the backlog count. */
  private boolean claim(GroupTask<?> task, Runner self) {
    if (!task.claim(self)) {
      return false;
    }
    if (task.fromOutside && backlogBounded()) {
      freeBacklog();
    }
    return true;
  }

  /**
   * After work was published: if a slot is free (and no resumer waits for one), takes it and gives
   * it to an idle or new runner. The CAS in {@link #tryAcquireSlot} orders the publication before
   * the read of {@link #running}; see the overview.
   */
  private void signalWorkAfterPublish() {
    // Orders the publication before the read of the slot count (a deactivating runner does the
    // converse with its decrement), so that either a slot is taken here or the runner sees the
    // work.
    VarHandle.fullFence();
    if (tryAcquireSlot()) {
      wakeOrStart();
    }
  }

  /** As {@link #signalWorkAfterPublish()}, for runners: a refused thread becomes a failure. */
  private void signalWorkQuietly() {
    try {
      signalWorkAfterPublish();
    } catch (RuntimeException | Error e) {
      recordFailure(e);
    }
  }

  private boolean tryAcquireSlot() {
    while (true) {
      int r = running.get();
      if (r >= maxConcurrency || resumersWaiting > 0) {
        return false;
      }
      if (running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /**
   * The caller took a slot for new work: give it, with a pending unit, to an idle runner, else to a
   * new one. The caller holds a unit or has just counted a task, so the count is not zero here; a
   * runner holds a unit whenever it holds a slot, hence no slot is held once the count is zero.
   */
  private void wakeOrStart() {
    pendingWork.incrementAndGet();
    if (keepRunners && idleCount > 0) {
      lock.lock();
      try {
        Runner r = idle.pollFirst();
        idleCount = idle.size();
        if (r != null) {
          r.granted = true;
          Condition wake = r.wake;
          assert wake != null;
          wake.signal();
          return;
        }
      } finally {
        lock.unlock();
      }
    }
    startRunner();
  }

  private void startRunner() {
    Runner runner = new Runner(this, keepRunners ? new WorkDeque() : null);
    liveRunners.incrementAndGet();
    runners.add(runner);
    if (keepRunners) {
      lock.lock();
      try {
        Runner[] w = workers;
        Runner[] more = Arrays.copyOf(w, w.length + 1);
        more[w.length] = runner;
        workers = more;
      } finally {
        lock.unlock();
      }
    }
    try {
      Thread t = threadFactory.newThread(runner);
      if (t == null) {
        throw new RejectedExecutionException("thread factory of group '" + name + "' refused");
      }
      runner.thread = t;
      t.start();
    } catch (Throwable e) {
      unregister(runner);
      releaseSlot();
      uncountUnit();
      runnerGone();
      throw e;
    }
  }

  /** Drops a task the caller published if nobody has claimed it yet. */
  private void dropQueued(GroupTask<?> task) {
    if (task.cancelQueued()) {
      if (task.fromOutside && backlogBounded()) {
        freeBacklog();
      }
      uncountDropped(task);
    }
  }

  // ---------------------------------------------------------------- running

  void runLoop(Runner self) {
    self.thread = Thread.currentThread();
    CURRENT.set(self);
    try {
      // started with a slot and a unit
      boolean spin = keepRunners && MULTICORE && !Thread.currentThread().isVirtual();
      while (true) {
        GroupTask<?> task = nextTask(self);
        if (task != null) {
          runTask(self, task);
          continue;
        }
        if (spin && spinForWork(self)) {
          continue;
        }
        if (deactivate(self)) {
          continue;
        }
        if (!keepRunners || !idleWait(self)) {
          return;
        }
        // woken with a slot and a unit
      }
    } finally {
      CURRENT.remove();
      unregister(self);
      Thread me = Thread.currentThread();
      exited.add(me);
      pruneExited();
      runnerGone();
    }
  }

  private void unregister(Runner runner) {
    runners.remove(runner);
    if (runner.deque != null) {
      lock.lock();
      try {
        Runner[] w = workers;
        int i = Arrays.asList(w).indexOf(runner);
        if (i >= 0) {
          Runner[] fewer = new Runner[w.length - 1];
          System.arraycopy(w, 0, fewer, 0, i);
          System.arraycopy(w, i + 1, fewer, i, w.length - i - 1);
          workers = fewer;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void runnerGone() {
    if (liveRunners.decrementAndGet() == 0 && closeWaiting) {
      lock.lock();
      try {
        runnersGone.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Forgets ended threads now and then, so that the list stays proportional to live runners. */
  private void pruneExited() {
    if (exitedCount.incrementAndGet() < pruneAt || !pruning.compareAndSet(false, true)) {
      return;
    }
    try {
      int left = 0;
      for (Iterator<Thread> it = exited.iterator(); it.hasNext(); ) {
        if (it.next().isAlive()) {
          left++;
        } else {
          it.remove();
        }
      }
      exitedCount.set(left); // a heuristic: concurrent additions may be missed
      pruneAt = Math.max(64, 2 * left);
    } finally {
      pruning.set(false);
    }
  }

  /** The next task for an active runner, claimed, or null (also when a resumer waits). */
  private @Nullable GroupTask<?> nextTask(Runner self) {
    if (resumersWaiting > 0) {
      return null; // give the slot to the resumer
    }
    GroupTask<?> task;
    WorkDeque deque = self.deque;
    if (deque != null) {
      while ((task = deque.pop()) != null) {
        if (claim(task, self)) {
          return task;
        }
      }
      task = steal(self);
      if (task != null) {
        return task;
      }
    } else {
      while ((task = sharedFollowUps.pollFirst()) != null) {
        if (claim(task, self)) {
          return task;
        }
      }
    }
    while ((task = outside.poll()) != null) {
      if (claim(task, self)) {
        return task;
      }
    }
    return null;
  }

  private @Nullable GroupTask<?> steal(Runner self) {
    Runner[] w = workers;
    int n = w.length;
    if (n <= 1) {
      return null;
    }
    int start = (int) (Thread.currentThread().threadId() % n);
    for (int k = 0; k < n; k++) {
      Runner victim = w[(start + k) % n];
      WorkDeque d = victim.deque;
      if (victim == self || d == null) {
        continue;
      }
      GroupTask<?> task;
      while ((task = d.steal()) != null) {
        if (claim(task, self)) {
          return task;
        }
      }
    }
    return null;
  }

  /** Whether any queue holds a task (a snapshot). */
  private boolean workVisible() {
    for (Runner r : workers) {
      WorkDeque d = r.deque;
      if (d != null && !d.isEmpty()) {
        return true;
      }
    }
    return !sharedFollowUps.isEmpty() || !outside.isEmpty();
  }

  /** Platform runners: spin a little, slot held, for work to appear. */
  private boolean spinForWork(Runner self) {
    for (int i = 0; i < SPINS + YIELDS; i++) {
      if (resumersWaiting > 0 || cancelled) {
        return false;
      }
      if (workVisible()) {
        return true;
      }
      if (i < SPINS) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return false;
  }

  /**
   * Gives the slot and the pending unit back. Returns true if work turned up meanwhile and the
   * runner took a slot and a unit again.
   */
  private boolean deactivate(Runner self) {
    flushStats(self);
    releaseSlot();
    long units = 1 + self.owed;
    self.owed = 0;
    if (pendingWork.addAndGet(-units) == 0) {
      signalQuiescent();
    }
    if (closed || !workVisible()) {
      return false;
    }
    // Take a unit again before a slot, and only while the count is not zero: at zero there is no
    // work (what we saw was stale) and join may already have returned.
    while (true) {
      long p = pendingWork.get();
      if (p == 0) {
        return false;
      }
      if (pendingWork.compareAndSet(p, p + 1)) {
        break;
      }
    }
    if (tryAcquireSlot()) {
      return true;
    }
    uncountUnit();
    return false;
  }

  private void flushStats(Runner self) {
    if (self.submittedDelta != 0) {
      submitted.add(self.submittedDelta);
      self.submittedDelta = 0;
    }
    if (self.completedDelta != 0) {
      completed.add(self.completedDelta);
      self.completedDelta = 0;
    }
    if (self.failedDelta != 0) {
      failed.add(self.failedDelta);
      self.failedDelta = 0;
    }
    if (self.cancelledDelta != 0) {
      cancelledTasks.add(self.cancelledDelta);
      self.cancelledDelta = 0;
    }
    if (self.finishedDelta != 0) {
      finished.add(self.finishedDelta);
      self.finishedDelta = 0;
    }
  }

  /** Platform runners: parks without a slot until given one, or the keep-alive ends. */
  private boolean idleWait(Runner self) {
    lock.lock();
    try {
      if (closed || cancelled) {
        return false;
      }
      Condition wake = self.wake;
      if (wake == null) {
        wake = self.wake = lock.newCondition();
      }
      self.granted = false;
      idle.addFirst(self);
      idleCount = idle.size();
      long nanos = KEEP_ALIVE_NANOS;
      while (!self.granted) {
        if (nanos <= 0 || closed || cancelled) {
          idle.remove(self);
          idleCount = idle.size();
          return false;
        }
        try {
          nanos = wake.awaitNanos(nanos);
        } catch (InterruptedException e) {
          nanos = 0; // cancel interrupts every runner: leave
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Gives a slot back: to a resumer if one waits, else frees it. */
  private void releaseSlot() {
    if (resumersWaiting > 0 && grantToResumer()) {
      return;
    }
    running.decrementAndGet();
    if (resumersWaiting > 0) {
      lock.lock();
      try {
        Resumer first = resumers.peekFirst();
        if (first != null) {
          first.ready.signal(); // it retries the free slot
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private boolean grantToResumer() {
    lock.lock();
    try {
      Resumer r = resumers.pollFirst();
      if (r == null) {
        return false;
      }
      resumersWaiting = resumers.size();
      r.granted = true;
      r.ready.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs a task the caller claimed, on the caller's slot, and records its outcome. */
  private void runTask(Runner self, GroupTask<?> task) {
    if (!cancelled) {
      Thread.interrupted(); // an interrupt meant for an earlier task
    }
    self.current = task;
    execute(self, task);
    self.current = null;
    if (task.interruptedByCancel) {
      task.awaitInterruptDelivered();
      if (!cancelled) {
        Thread.interrupted(); // meant for this task only
      }
    }
  }

  private void runInline(Runner self, GroupTask<?> task) {
    GroupTask<?> outer = self.current;
    self.current = task;
    execute(self, task);
    self.current = outer;
    if (task.interruptedByCancel) {
      task.awaitInterruptDelivered();
      // An interrupt that cancelled the inline task was meant for it, not for its waiter.
      if (!cancelled && (outer == null || !outer.isTerminal())) {
        Thread.interrupted();
      }
    }
  }

  /**
   * Runs a claimed task's code, with retries, and records the outcome. The claim CAS published the
   * caller as the task's owner, so a cancel either came first (seen here: the code never starts) or
   * finds this runner and interrupts its thread.
   */
  private <T> void execute(Runner self, GroupTask<T> task) {
    if (cancelled || !task.ownedBy(self)) {
      if (task.cancelRunning(self)) {
        self.cancelledDelta++;
      }
      uncount(self, task);
      return;
    }
    T value = null;
    Throwable failure = null;
    for (int attempt = 1; ; attempt++) {
      try {
        value = task.call();
        failure = null;
        break;
      } catch (Throwable t) {
        if (failure != null) {
          t.addSuppressed(failure);
        }
        failure = t;
      }
      if (cancelled || !task.ownedBy(self) || attempt >= maxAttempts) {
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
      retried.increment();
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
    if (failure == null) {
      if (task.succeed(self, value)) {
        self.completedDelta++;
      }
    } else if ((cancelled || task.isCancelled()) && isCancellation(failure)) {
      if (task.cancelRunning(self)) {
        self.cancelledDelta++;
      }
    } else if (task.fail(self, failure)) {
      self.failedDelta++;
      if (!task.isolated) {
        recordFailure(failure);
      }
    }
    uncount(self, task);
  }

  /** A claimed task has finished: the runner owes its unit if it has one. */
  private void uncount(Runner self, GroupTask<?> task) {
    self.finishedDelta++;
    if (task.counted) {
      self.owed++;
    }
    task.finished();
  }

  /** A queued task was dropped unrun, by any thread. */
  private void uncountDropped(GroupTask<?> task) {
    cancelledTasks.increment();
    finished.increment();
    task.finished();
    if (task.counted) {
      uncountUnit();
    }
  }

  private void uncountUnit() {
    if (pendingWork.decrementAndGet() == 0) {
      signalQuiescent();
    }
  }

  private void signalQuiescent() {
    if (joinWaiters > 0) {
      lock.lock();
      try {
        quiescent.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * The exception for a submit to a cancelled group; when a fail-fast failure cancelled it, that
   * failure is named and attached as the cause, so the submitter learns why.
   */
  private RejectedExecutionException rejectedAsCancelled() {
    Throwable first = null;
    lock.lock();
    try {
      if (!cancelledByUser && !failures.isEmpty()) {
        first = failures.get(0);
      }
    } finally {
      lock.unlock();
    }
    return first == null
        ? new RejectedExecutionException("task group '" + name + "' is cancelled")
        : new RejectedExecutionException(
            "task group '" + name + "' is cancelled by the failure of a task: " + first, first);
  }

  private void recordFailure(Throwable failure) {
    lock.lock();
    try {
      failures.add(failure);
      hasFailures = true;
      if (failurePolicy == FailurePolicy.FAIL_FAST) {
        cancelLocked(false);
      }
    } finally {
      lock.unlock();
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
    Runner self = self();
    if (self == null) {
      return task.awaitDone(timed, deadline);
    }
    if (task.isTerminal()) {
      return true;
    }
    if (claim(task, self)) {
      runInline(self, task);
      return true;
    }
    if (self.current == task) {
      throw new IllegalStateException("a task cannot wait for itself: " + task);
    }
    giveSlotBack();
    InterruptedException interrupted = null;
    boolean done = true;
    try {
      done = task.awaitDone(timed, deadline);
    } catch (InterruptedException e) {
      interrupted = e;
    }
    reacquireSlot();
    if (interrupted != null) {
      throw interrupted;
    }
    return done;
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
    if (self() == null) {
      return wait.get();
    }
    giveSlotBack();
    try {
      return wait.get();
    } finally {
      reacquireSlot();
    }
  }

  /** A task about to wait gives its slot back; queued work may use it meanwhile. */
  private void giveSlotBack() {
    releaseSlot();
    if (workVisible()) {
      signalWorkQuietly();
    }
  }

  /** Takes a slot again after a nested wait, ahead of queued work; uninterruptible. */
  private void reacquireSlot() {
    if (resumersWaiting == 0 && tryAcquireSlot()) {
      return;
    }
    lock.lock();
    try {
      Resumer me = new Resumer();
      resumers.addLast(me);
      resumersWaiting = resumers.size();
      while (!me.granted) {
        if (resumers.peekFirst() == me && tryTakeFreeSlot()) {
          resumers.remove(me);
          resumersWaiting = resumers.size();
          Resumer next = resumers.peekFirst();
          if (next != null) {
            next.ready.signal(); // the new first may find a free slot too
          }
          if (resumersWaiting == 0 && workVisible()) {
            signalWorkQuietly(); // work published while we held new work off the free slots
          }
          return;
        }
        me.ready.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
  }

  /** A free slot, ignoring waiting resumers (for the first of them). */
  private boolean tryTakeFreeSlot() {
    while (true) {
      int r = running.get();
      if (r >= maxConcurrency) {
        return false;
      }
      if (running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  private final class Resumer {
    final Condition ready = lock.newCondition();
    boolean granted;
  }

  // ------------------------------------------------------------- cancelling

  boolean cancelTask(GroupTask<?> task, boolean mayInterrupt) {
    while (true) {
      int state = task.status();
      if (state == GroupTask.QUEUED) {
        if (task.cancelQueued()) {
          if (task.fromOutside && backlogBounded()) {
            freeBacklog();
          }
          uncountDropped(task);
          return true;
        }
      } else if (state == GroupTask.RUNNING) {
        if (task.cancelWhileRunning(mayInterrupt)) {
          cancelledTasks.increment(); // done now; still pending until its code returns
          return true;
        }
      } else {
        return false;
      }
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
    cancelledByUser = byUser && failures.isEmpty();
    cancelled = true;
    GroupTask<?> task;
    while ((task = outside.poll()) != null) {
      dropQueued(task);
    }
    while ((task = sharedFollowUps.pollFirst()) != null) {
      dropQueued(task);
    }
    for (Runner r : workers) {
      WorkDeque d = r.deque;
      if (d != null) {
        while ((task = d.steal()) != null) {
          dropQueued(task);
        }
      }
    }
    // Every runner, this thread included: it may be a waiter that ran the failing task inline and
    // would otherwise go on with its own task. Runners that are between tasks see the flag.
    for (Runner r : runners) {
      Thread t = r.thread;
      if (t != null) {
        t.interrupt();
      }
    }
    for (Runner r : idle) {
      Condition wake = r.wake;
      if (wake != null) {
        wake.signal();
      }
    }
    backlogRoom.signalAll();
    if (pendingWork.get() == 0) {
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
    if (pendingWork.get() != 0) {
      lock.lock();
      try {
        joinWaiters++;
        try {
          while (pendingWork.get() != 0) {
            quiescent.await();
          }
        } finally {
          joinWaiters--;
        }
      } finally {
        lock.unlock();
      }
    }
    if (hasFailures || cancelledByUser) {
      lock.lock();
      try {
        reportLocked();
      } finally {
        lock.unlock();
      }
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
    boolean unreported;
    lock.lock();
    try {
      joinWaiters++;
      try {
        while (true) {
          while (pendingWork.get() != 0) {
            try {
              quiescent.await();
            } catch (InterruptedException e) {
              interrupted = true;
              cancelLocked(true);
            }
          }
          closed = true;
          if (pendingWork.get() == 0) {
            break; // an outside submit that raced with us sees closed, or was counted first
          }
        }
      } finally {
        joinWaiters--;
      }
      for (Runner runner : idle) {
        Condition wake = runner.wake;
        if (wake != null) {
          wake.signal();
        }
      }
      backlogRoom.signalAll();
      closeWaiting = true;
      while (liveRunners.get() > 0) {
        runnersGone.awaitUninterruptibly();
      }
      unreported = failures.size() > reportedFailures;
    } finally {
      lock.unlock();
    }
    Thread t;
    while ((t = exited.poll()) != null) {
      exitedCount.decrementAndGet();
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
    long finishedNow = finished.sum();
    long submittedNow = submitted.sum();
    return new TaskGroupStats(
        submittedNow,
        running.get(),
        Math.max(0, submittedNow - finishedNow),
        completed.sum(),
        failed.sum(),
        retried.sum(),
        cancelledTasks.sum());
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
