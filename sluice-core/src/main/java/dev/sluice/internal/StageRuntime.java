package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Emitter;
import dev.sluice.ErrorPolicy;
import dev.sluice.FailedItem;
import dev.sluice.FailurePolicy;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import dev.sluice.TaskGroup;
import dev.sluice.TaskGroupException;
import dev.sluice.internal.PipelineSpec.Kind;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One stage of a running pipeline (or its source): its workers, counters and channels.
 *
 * <p><b>Implementation overview.</b> Subclasses supply the workers. States: created, started
 * ({@link #start()} created the stage's task group and submitted its workers), ended ({@link
 * #markEnded()}, exactly once, guarded by {@code ended}), settled ({@link #settle()}, by the
 * supervisor after every thread of the run has ended).
 *
 * <ul>
 *   <li>Each worker ends when its input is closed and drained, or the run stops, and calls {@link
 *       #workerExited()}; {@code liveWorkers} counts down and the last exit ends the stage, closing
 *       its output normally (not when stopping: then {@link #stop} has cancelled every channel).
 *       Because a worker exits only after its input is closed and drained, the close reaches the
 *       next stage behind the last item.
 *   <li>Every worker slot is claimed exactly once through {@code unclaimed} (see {@link
 *       #startWorkers(TaskGroup, int, Runnable, boolean)}), so {@code liveWorkers} reaches zero
 *       even when the group's cancel drops tasks that never started.
 *   <li>{@link #stop} cancels the input channel, counting what was left in it as discarded, and
 *       cancels the group (interrupting workers).
 * </ul>
 *
 * <p>Happens-before: counters written by a worker are read exactly by the supervisor after {@code
 * TaskGroup.close()} returned for the stage's groups (thread end); {@code groups} is guarded by
 * {@code groupsLock}; {@code startNanos}/{@code endNanos} are volatile. Live snapshots read the
 * counters without synchronisation (see {@link StageCounters}).
 */
abstract class StageRuntime {

  /** How a worker left {@link #handle}. */
  enum Outcome {
    /** Processed; its outputs are emitted (or buffered for ordering). */
    PASSED,
    /** Dropped by a filter. */
    FILTERED,
    /** Failed and handled by skip or dead-letter. */
    FAILED,
    /** The run is stopping: the worker must exit; the item is accounted for. */
    STOP
  }

  final PipelineRun<?> run;
  final int index;
  final StageSpec spec;
  final String name;
  final Kind kind;
  final Stage options;
  final @Nullable Channel<Object> input;
  final @Nullable Channel<Object> output;
  final StageCounters counters = new StageCounters();
  final AtomicInteger liveWorkers = new AtomicInteger();
  final AtomicLong inputLeftovers = new AtomicLong();
  final @Nullable RateLimiter limiter;
  private final List<TaskGroup> groups = new ArrayList<>();
  private final Object groupsLock = new Object();
  private volatile long startNanos;
  private volatile long endNanos;

  StageRuntime(
      PipelineRun<?> run,
      int index,
      StageSpec spec,
      @Nullable Channel<Object> input,
      @Nullable Channel<Object> output) {
    this.run = run;
    this.index = index;
    this.spec = spec;
    this.name = spec.name();
    this.kind = spec.kind();
    this.options = spec.options();
    this.input = input;
    this.output = output;
    this.limiter =
        options.ratePerSecond() > 0
            ? new RateLimiter(options.ratePerSecond(), options.rateBurst())
            : null;
  }

  static StageRuntime create(
      PipelineRun<?> run,
      int index,
      StageSpec spec,
      @Nullable Channel<Object> input,
      @Nullable Channel<Object> output) {
    return switch (spec.kind()) {
      case ITERATOR -> new SourceRuntime.IteratorSource(run, index, spec, output);
      case CHANNEL -> new SourceRuntime.ChannelSource(run, index, spec, output);
      case PRODUCERS -> new SourceRuntime.ProducerSource(run, index, spec, output);
      case EXPAND -> new ExpandRuntime(run, index, spec, input, output);
      case BATCH -> new BatchRuntime(run, index, spec, input, output);
      default -> new LoopRuntime(run, index, spec, input, output);
    };
  }

  String name() {
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // Life

  /** Creates the group(s) and submits the workers. */
  abstract void start();

  final void markStarted() {
    startNanos = System.nanoTime();
    PipelineEvents.stageStarted(this);
  }

  /** The stage's run ended before it could start: it counts as ended (once). */
  void neverStarted() {
    if (startNanos == 0) {
      startNanos = System.nanoTime();
    }
    markEnded();
  }

  /** Tells the run that this stage has ended, exactly once however many paths get here. */
  final void markEnded() {
    if (ended.compareAndSet(false, true)) {
      endNanos = System.nanoTime();
      PipelineEvents.stageEnded(this);
      run.stageEnded();
    }
  }

  private final AtomicBoolean ended = new AtomicBoolean();

  TaskGroup newGroup(String groupName, int maxConcurrency, int maxPending) {
    TaskGroup.Builder builder =
        TaskGroup.builder()
            .name(groupName)
            .maxConcurrency(maxConcurrency)
            .failurePolicy(FailurePolicy.COLLECT_ALL);
    if (maxPending < Integer.MAX_VALUE) {
      builder.maxPending(maxPending);
    }
    if (options.threadFactory() != null) {
      builder.threadFactory(Objects.requireNonNull(options.threadFactory()));
    } else if (options.usesPlatformThreads()) {
      builder.platformThreads();
    } else {
      builder.virtualThreads();
    }
    TaskGroup group = builder.build();
    synchronized (groupsLock) {
      groups.add(group);
    }
    return group;
  }

  /** Submits {@code workers} copies of {@code loop} to a new group named after the stage. */
  final void startWorkers(int workers, Runnable loop) {
    startWorkers(newGroup(name, workers, Integer.MAX_VALUE), workers, loop, true);
  }

  /**
   * Submits {@code workers} copies of {@code loop} to {@code group}. Each worker slot is claimed
   * exactly once, by whoever first decrements {@code unclaimed} from a positive value: its task
   * when it starts, its submit when the group rejects it, or {@link #stop} (which takes all that
   * are left) for tasks that the group's cancel dropped or that start after the stop. Whoever
   * claims a slot reports the worker's exit, so the stage ends either way.
   *
   * @param timed whether a worker's life counts towards the stage's busy time
   */
  final void startWorkers(TaskGroup group, int workers, Runnable loop, boolean timed) {
    liveWorkers.set(workers);
    unclaimed.set(workers);
    markStarted();
    for (int i = 0; i < workers; i++) {
      submitWorker(group, loop, timed);
    }
  }

  private void submitWorker(TaskGroup group, Runnable loop, boolean timed) {
    try {
      group.submit(
          () -> {
            if (unclaimed.getAndDecrement() <= 0) {
              return; // claimed by stop(): it reported this worker's exit
            }
            long life = timed ? counters.workerStarted() : 0;
            try {
              loop.run();
            } catch (Throwable t) {
              // A bug in the stage machinery, not in the user's function: fail loudly.
              run.fail(name, null, t);
            } finally {
              if (timed) {
                counters.workerEnded(life);
              }
              workerExited();
            }
          });
    } catch (RejectedExecutionException e) {
      // The group was cancelled by a stop that raced with the start (stop() may have run before
      // the slots were counted): the rejected submit claims its slot, if one is left, and
      // reports the worker's exit.
      if (unclaimed.getAndDecrement() > 0) {
        workerExited();
      }
      if (!run.isStopping()) {
        run.fail(name, null, e);
      }
    }
  }

  /** Worker slots not yet claimed by a starting task. */
  private final AtomicInteger unclaimed = new AtomicInteger();

  /** Called once by each worker as it exits; the last one ends the stage. */
  final void workerExited() {
    if (liveWorkers.decrementAndGet() == 0) {
      endStage();
    }
  }

  /** Closes the output unless stopping, and tells the run that this stage has ended. */
  void endStage() {
    Channel<Object> out = output;
    if (out != null && !run.isStopping()) {
      out.close();
    }
    markEnded();
  }

  /** Stops the stage: cancels its input (discarding what is left) and its groups. */
  void stop(Throwable cause) {
    Channel<Object> in = input;
    if (in != null) {
      List<Object> left = in.cancel(cause);
      inputLeftovers.addAndGet(left.size());
      for (Object item : left) {
        discard(item);
      }
    }
    List<TaskGroup> snapshot;
    synchronized (groupsLock) {
      snapshot = List.copyOf(groups);
    }
    for (TaskGroup group : snapshot) {
      group.cancel();
    }
    // Tasks the cancel dropped will never run: report their workers' exits here.
    for (int n = unclaimed.getAndSet(0); n > 0; n--) {
      workerExited();
    }
  }

  /**
   * Waits until every thread of the stage has ended.
   *
   * @return whether the waiting thread was interrupted
   */
  boolean awaitThreads() {
    List<TaskGroup> snapshot;
    synchronized (groupsLock) {
      snapshot = List.copyOf(groups);
    }
    boolean interrupted = false;
    for (TaskGroup group : snapshot) {
      try {
        group.close();
      } catch (CancellationException e) {
        // Cancelled by stop(): expected.
      } catch (TaskGroupException e) {
        run.fail(name, null, e);
      }
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    return interrupted;
  }

  /** Counts items still held in the stage's buffers as discarded; every thread has ended. */
  void settle() {}

  /** The terminal's value (toList), or null. */
  @Nullable Object value() {
    return null;
  }

  /** Counts {@code item} as discarded, from a thread that is not one of the stage's workers. */
  final void discard(Object item) {
    discard(item, counters.shared);
  }

  final void discard(Object item, StageCounters.Cell cell) {
    cell.discarded();
    run.discarded(name, item);
  }

  // ---------------------------------------------------------------------------------------------
  // Moving items

  /**
   * Takes the next input item, timing the wait as idle only if there is one.
   *
   * @throws ChannelClosedException when the input is closed and drained (or cancelled)
   */
  final Object take(StageCounters.Cell cell) throws InterruptedException {
    Channel<Object> in = Objects.requireNonNull(input);
    Object item = poll(in);
    if (item == null) {
      long started = counters.idleStarted();
      try {
        item = in.receive();
      } finally {
        counters.idleEnded(started);
      }
    }
    cell.received();
    return item;
  }

  /**
   * Locks an intake lock, timing the wait as idle only if there is one: a worker waiting for its
   * turn to take input is not busy.
   */
  final void lockIdle(ReentrantLock intake) throws InterruptedException {
    if (!intake.tryLock()) {
      long started = counters.idleStarted();
      try {
        intake.lockInterruptibly();
      } finally {
        counters.idleEnded(started);
      }
    }
  }

  /** As {@link #take}, for a thread whose waiting is not a worker's idle time. */
  final Object takeUntimed(StageCounters.Cell cell) throws InterruptedException {
    Object item = Objects.requireNonNull(input).receive();
    cell.received();
    return item;
  }

  static @Nullable Object poll(Channel<Object> channel) {
    if (channel instanceof AbstractChannel<Object> fast) {
      return fast.poll();
    }
    return channel.tryReceive().orElse(null);
  }

  /** Sends to {@code channel}, timing the wait as blocked only if there is one. */
  final void send(Channel<Object> channel, Object item) throws InterruptedException {
    Objects.requireNonNull(item, "item");
    if (!channel.trySend(item)) {
      long started = counters.blockedStarted();
      try {
        channel.send(item);
      } finally {
        counters.blockedEnded(started);
      }
    }
  }

  /** An emitter that sends downstream and counts in {@code cell}. */
  final Emitter<Object> direct(StageCounters.Cell cell) {
    Channel<Object> out = Objects.requireNonNull(output);
    return item -> {
      send(out, requireItem(item));
      cell.emitted();
    };
  }

  final Object requireItem(@Nullable Object item) {
    if (item == null) {
      throw new NullPointerException("stage '" + name + "' emitted null");
    }
    return item;
  }

  /** Collects an attempt's outputs to emit later (retries, ordering). */
  static final class Buffer implements Emitter<Object> {
    final ArrayList<Object> items = new ArrayList<>(2);

    @Override
    public void emit(Object item) {
      items.add(Objects.requireNonNull(item, "item"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The error policy

  /**
   * Runs {@code attempt} for {@code item} under the stage's rate limit and error policy, its
   * outputs going to {@code out}.
   *
   * @return how it went; {@link Outcome#STOP} means the item is accounted for (failed or discarded)
   *     and the worker must exit
   */
  final Outcome handle(Object item, Attempt attempt, Emitter<Object> out, StageCounters.Cell cell) {
    ErrorPolicy policy = options.errorPolicy();
    int attempts = 0;
    while (true) {
      attempts++;
      Throwable failure;
      try {
        if (limiter != null) {
          limiter.acquire(counters);
        }
        return attempt.run(item, out) ? Outcome.PASSED : Outcome.FILTERED;
      } catch (Throwable t) {
        failure = t;
      }
      if (run.isStopping()) {
        run.lateFailure(failure);
        discard(item, cell);
        return Outcome.STOP;
      }
      if (policy instanceof ErrorPolicy.Retry retry
          && attempts < retry.maxAttempts()
          && retry.retryOn().test(failure)) {
        cell.retried();
        if (!backOff(retry.backoff().delay(attempts))) {
          discard(item, cell);
          return Outcome.STOP;
        }
        continue;
      }
      ErrorPolicy then = policy instanceof ErrorPolicy.Retry retry ? retry.then() : policy;
      cell.failed();
      if (then instanceof ErrorPolicy.DeadLetter deadLetter) {
        try {
          deadLetter.sink().accept(new FailedItem(item, name, failure, attempts));
        } catch (Throwable sinkFailure) {
          sinkFailure.addSuppressed(failure);
          run.fail(name, item, sinkFailure);
          return Outcome.STOP;
        }
        return Outcome.FAILED;
      }
      if (then instanceof ErrorPolicy.Skip) {
        return Outcome.FAILED;
      }
      run.fail(name, item, failure);
      return Outcome.STOP;
    }
  }

  /** Sleeps before a retry; false if the run stopped meanwhile. */
  private boolean backOff(Duration delay) {
    long nanos;
    try {
      nanos = delay.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 4;
    }
    if (nanos > 0) {
      long started = counters.idleStarted();
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        if (run.isStopping()) {
          return false;
        }
        // A stray interrupt, not a cancel: retry now.
      } finally {
        counters.idleEnded(started);
      }
    }
    return !run.isStopping();
  }

  /** One attempt at an item. */
  @FunctionalInterface
  interface Attempt {
    /**
     * Processes {@code item}, sending its outputs to {@code out}.
     *
     * @return true if it passed, false if a filter dropped it
     */
    boolean run(Object item, Emitter<Object> out) throws Exception;
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics

  StageStats snapshot(long now) {
    long start = startNanos;
    long end = endNanos;
    long elapsed = start == 0 ? 0 : (end != 0 ? end : now) - start;
    Channel<Object> in = input;
    return new StageStats(
        name,
        kind.label,
        options.workers(),
        counters.received(),
        counters.succeeded(),
        counters.emitted(),
        counters.filtered(),
        counters.failed(),
        counters.retried(),
        counters.discarded(),
        counters.followUps(),
        in == null ? 0 : in.size(),
        in == null ? 0 : in.capacity(),
        counters.busyWorkers(),
        Duration.ofNanos(counters.busyNanos(end != 0 ? end : now)),
        Duration.ofNanos(counters.blockedNanos(end != 0 ? end : now)),
        Duration.ofNanos(Math.max(0, elapsed)));
  }

  /** The source's stats when the source is a channel: what the first stage took from it. */
  static StageStats channelSourceStats(StageStats source, StageRuntime first) {
    long taken = first.counters.received() + first.inputLeftovers.get();
    return new StageStats(
        source.name(),
        source.kind(),
        source.workers(),
        taken,
        taken,
        taken,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        Duration.ZERO,
        Duration.ZERO,
        source.elapsed());
  }
}
