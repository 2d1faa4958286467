package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.PipelineException;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.PipelineStats.State;
import dev.sluice.StageStats;
import dev.sluice.internal.PipelineSpec.Kind;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One run of a pipeline: its stages, the channels between them, and its life.
 *
 * <p><b>Implementation overview.</b> Stage {@code i} (the source is stage 0) reads the channel
 * {@code inputs[i]} and writes {@code inputs[i + 1]}; each stage runs its workers as tasks of its
 * own {@link dev.sluice.TaskGroup}. A stage closes its output when its last worker exits, which
 * happens only once its input is closed and drained, so the close travels behind the last item and
 * no sentinel exists.
 *
 * <p>States: running, then stopping (after the first fail-fast failure, a cancel or a timeout),
 * then ended. {@code lock} guards {@code liveStages}, {@code stopping}, {@code endState}, {@code
 * failure} and the failing stage and item. Stopping is one transition made under the lock by the
 * first caller of {@link #stop}; then, outside the lock, every stage cancels its input channel
 * (counting and reporting the items left in it as discarded) and its task group (interrupting its
 * workers). A worker that sees a failure once the run is stopping treats its item as discarded, not
 * failed, so a cancelled worker's {@code InterruptedException} is never reported as a failure.
 *
 * <p>A supervisor (the caller of {@code run()}, or one virtual thread for {@code start()}) waits on
 * {@code changed} until no stage is live, calling progress listeners and enforcing the timeout as
 * it goes, then closes every task group (waiting until every thread has ended), lets each stage
 * account for items still held in its buffers, and only then publishes the outcome through {@code
 * done}. So whoever sees the outcome also sees final, exact counters, and no thread of the run
 * remains.
 */
final class PipelineRun<R> implements PipelineHandle<R> {

  private final PipelineSpec spec;
  private final PipelineRunnable.Options options;
  private final List<StageRuntime> stages = new ArrayList<>();
  private final @Nullable BiConsumer<String, Object> onDiscard;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int liveStages;

  /** Written under {@code lock}; read without it on workers' paths. */
  private volatile boolean stopping;

  /** Set under {@code lock} once the stopping caller has stopped every stage. */
  private boolean stopped;

  private @Nullable State endState;
  private @Nullable Throwable failure;
  private @Nullable String failedStage;
  private @Nullable Object failedItem;

  private final CountDownLatch done = new CountDownLatch(1);
  private @Nullable Thread supervisor;
  private volatile long startNanos;
  private volatile long endNanos;

  /** Set once by the supervisor before {@code done}; read by any thread. */
  private volatile @Nullable PipelineStats finalStats;

  PipelineRun(PipelineSpec spec, PipelineRunnable.Options options) {
    this.spec = spec;
    this.options = options;
    this.onDiscard = options.onDiscard();
  }

  // ---------------------------------------------------------------------------------------------
  // Starting and supervising

  private void launch() {
    spec.claimSource();
    List<StageSpec> specs = spec.stages();
    int n = specs.size();
    // inputs[i] is stage i's input; the source has none.
    List<Channel<Object>> inputs = new ArrayList<>();
    inputs.add(null);
    for (int i = 1; i < n; i++) {
      if (i == 1 && specs.get(0).kind() == Kind.CHANNEL) {
        @SuppressWarnings("unchecked")
        Channel<Object> source = (Channel<Object>) Objects.requireNonNull(specs.get(0).fn());
        inputs.add(source);
      } else {
        inputs.add(Channel.bounded(specs.get(i).options().capacity()));
      }
    }
    for (int i = 0; i < n; i++) {
      StageSpec s = specs.get(i);
      @Nullable Channel<Object> input = inputs.get(i);
      @Nullable Channel<Object> output = i + 1 < n ? inputs.get(i + 1) : null;
      stages.add(StageRuntime.create(this, i, s, input, output));
    }
    lock.lock();
    try {
      liveStages = n;
    } finally {
      lock.unlock();
    }
    startNanos = System.nanoTime();
    // Consumers first, so that the source never waits for a stage that is not there yet.
    for (int i = n - 1; i >= 0; i--) {
      try {
        stages.get(i).start();
      } catch (RuntimeException | Error e) {
        // Stage i may have started some workers: they, or stop(), end it; neverStarted() is
        // idempotent with that.
        stop(e, State.FAILED, stages.get(i).name(), null);
        for (int j = i; j >= 0; j--) {
          stages.get(j).neverStarted();
        }
        break;
      }
    }
  }

  PipelineResult<R> runOnCaller() throws InterruptedException {
    launch();
    boolean interrupted = supervise();
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new InterruptedException("interrupted while running the pipeline; it was cancelled");
    }
    return outcome();
  }

  void startInBackground() {
    launch();
    Thread thread =
        Thread.ofVirtual()
            .name("sluice-pipeline-supervisor")
            .unstarted(
                () -> {
                  if (supervise()) {
                    Thread.currentThread().interrupt();
                  }
                });
    supervisor = thread;
    thread.start();
  }

  /**
   * Waits for every stage to end, calling listeners and enforcing the timeout, then closes the
   * groups, settles the counters and publishes the outcome.
   *
   * @return whether the calling thread was interrupted (the run was then cancelled)
   */
  private boolean supervise() {
    boolean interrupted = false;
    List<PipelineRunnable.Listener> listeners = new ArrayList<>(options.listeners());
    long[] due = new long[listeners.size()];
    boolean[] dropped = new boolean[listeners.size()]; // threw once: never called again
    long now = System.nanoTime();
    for (int i = 0; i < due.length; i++) {
      due[i] = now; // a first snapshot at once, so a timeline starts at the start
    }
    Duration timeout = options.timeout();
    long deadline = timeout == null ? Long.MAX_VALUE : startNanos + saturatedNanos(timeout);
    while (true) {
      long wake = deadline;
      for (long d : due) {
        wake = Math.min(wake, d);
      }
      boolean timedOut = false;
      lock.lock();
      try {
        if (ended()) {
          break;
        }
        long wait = wake - System.nanoTime();
        if (wait > 0) {
          try {
            changed.awaitNanos(wait);
          } catch (InterruptedException e) {
            interrupted = true;
            lock.unlock();
            try {
              cancelAs(State.CANCELLED, new CancellationException("the caller was interrupted"));
            } finally {
              lock.lock();
            }
          }
        }
        if (ended()) {
          break;
        }
        timedOut = !stopping && System.nanoTime() - deadline >= 0;
      } finally {
        lock.unlock();
      }
      if (timedOut) {
        stop(
            new TimeoutException("the pipeline did not finish within " + timeout),
            State.FAILED,
            null,
            null);
        deadline = Long.MAX_VALUE;
      }
      now = System.nanoTime();
      for (int i = 0; i < due.length; i++) {
        if (!dropped[i] && now - due[i] >= 0) {
          try {
            listeners.get(i).listener().onProgress(stats());
          } catch (RuntimeException | Error e) {
            dropped[i] = true; // the pipeline goes on (ProgressListener's contract)
          }
          due[i] = now + listeners.get(i).periodNanos();
        }
      }
    }
    for (StageRuntime stage : stages) {
      if (stage.awaitThreads()) {
        interrupted = true;
      }
    }
    for (StageRuntime stage : stages) {
      stage.settle();
    }
    endNanos = System.nanoTime();
    State end;
    lock.lock();
    try {
      if (endState == null) {
        endState = State.SUCCEEDED;
      }
      end = endState;
    } finally {
      lock.unlock();
    }
    PipelineStats last = snapshot(end);
    finalStats = last;
    for (int i = 0; i < listeners.size(); i++) {
      if (dropped[i]) {
        continue;
      }
      try {
        listeners.get(i).listener().onFinish(last);
      } catch (RuntimeException | Error e) {
        // A failing listener is ignored (ProgressListener's contract).
      }
    }
    done.countDown();
    return interrupted;
  }

  /**
   * Whether every stage has ended and, if the run is stopping, the stopping caller has finished
   * stopping every stage (so that the items it discards are counted before the final snapshot).
   * Called under {@code lock}.
   */
  private boolean ended() {
    return liveStages == 0 && (!stopping || stopped);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Called by stages

  boolean isStopping() {
    return stopping;
  }

  void stageEnded() {
    lock.lock();
    try {
      liveStages--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A stage gave up on {@code item} under fail-fast (or an internal error happened). */
  void fail(String stage, @Nullable Object item, Throwable cause) {
    stop(cause, State.FAILED, stage, item);
  }

  void discarded(String stage, Object item) {
    BiConsumer<String, Object> listener = onDiscard;
    if (listener != null) {
      try {
        listener.accept(stage, item);
      } catch (RuntimeException | Error e) {
        // The listener must not throw (documented); the item stays counted.
      }
    }
  }

  /**
   * Whether {@code t} is just the echo of the run stopping: an interrupt or a cancelled channel,
   * possibly wrapped.
   */
  static boolean isStopEcho(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InterruptedException
          || c instanceof InterruptedIOException
          || c instanceof ClosedByInterruptException
          || c instanceof dev.sluice.ChannelClosedException
          || c instanceof CancellationException
          || c instanceof RejectedExecutionException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** A failure seen while stopping: attached to the first failure unless it is a stop echo. */
  void lateFailure(Throwable t) {
    if (isStopEcho(t)) {
      return;
    }
    lock.lock();
    try {
      Throwable first = failure;
      if (first != null && first != t && endState == State.FAILED) {
        first.addSuppressed(t);
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean stop(
      Throwable cause, State state, @Nullable String stage, @Nullable Object item) {
    lock.lock();
    try {
      if (stopping || liveStages == 0) {
        if (stopping && state == State.FAILED && !isStopEcho(cause)) {
          Throwable first = failure;
          if (first != null && first != cause && endState == State.FAILED) {
            first.addSuppressed(cause);
          }
        }
        return false;
      }
      stopping = true;
      endState = state;
      failure = cause;
      failedStage = stage;
      failedItem = item;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      for (StageRuntime runtime : stages) {
        runtime.stop(cause);
      }
    } finally {
      lock.lock();
      try {
        stopped = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
    return true;
  }

  private boolean cancelAs(State state, Throwable cause) {
    return stop(cause, state, null, null);
  }

  // ---------------------------------------------------------------------------------------------
  // PipelineHandle

  @Override
  public PipelineResult<R> await() throws InterruptedException {
    done.await();
    Thread thread = supervisor;
    if (thread != null) {
      thread.join();
    }
    return outcome();
  }

  @Override
  public PipelineResult<R> await(Duration timeout) throws InterruptedException, TimeoutException {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + saturatedNanos(timeout);
    if (!done.await(saturatedNanos(timeout), TimeUnit.NANOSECONDS)) {
      throw new TimeoutException("the pipeline has not finished within " + timeout);
    }
    Thread thread = supervisor;
    if (thread != null) {
      long left = deadline - System.nanoTime();
      if (!thread.join(Duration.ofNanos(Math.max(1, left)))) {
        throw new TimeoutException("the pipeline has not finished within " + timeout);
      }
    }
    return outcome();
  }

  @Override
  public boolean cancel() {
    return cancelAs(State.CANCELLED, new CancellationException("the pipeline was cancelled"));
  }

  @Override
  public boolean isDone() {
    return done.getCount() == 0;
  }

  @Override
  public PipelineStats stats() {
    PipelineStats last = finalStats;
    return last != null ? last : snapshot(State.RUNNING);
  }

  /** A snapshot of every stage, labelled {@code state}. */
  private PipelineStats snapshot(State state) {
    long now = System.nanoTime();
    long end = endNanos != 0 ? endNanos : now;
    List<StageStats> list = new ArrayList<>(stages.size());
    for (StageRuntime stage : stages) {
      list.add(stage.snapshot(now));
    }
    if (!list.isEmpty() && spec.stages().get(0).kind() == Kind.CHANNEL && stages.size() > 1) {
      list.set(0, StageRuntime.channelSourceStats(list.get(0), stages.get(1)));
    }
    return new PipelineStats(state, Duration.ofNanos(Math.max(0, end - startNanos)), list);
  }

  private PipelineResult<R> outcome() {
    PipelineStats last = Objects.requireNonNull(finalStats);
    State state;
    Throwable cause;
    String stage;
    Object item;
    lock.lock();
    try {
      state = Objects.requireNonNull(endState);
      cause = failure;
      stage = failedStage;
      item = failedItem;
    } finally {
      lock.unlock();
    }
    switch (state) {
      case SUCCEEDED -> {
        @SuppressWarnings("unchecked")
        R value = (R) stages.get(stages.size() - 1).value();
        return new PipelineResult<>(value, last);
      }
      case CANCELLED -> {
        CancellationException e = new CancellationException("the pipeline was cancelled");
        if (cause != null) {
          e.initCause(cause);
        }
        throw e;
      }
      default -> {
        Throwable c = Objects.requireNonNull(cause);
        String message =
            stage == null
                ? "pipeline failed: " + c
                : "stage '"
                    + stage
                    + "' failed"
                    + (item == null ? "" : " on item " + describe(item))
                    + ": "
                    + c;
        throw new PipelineException(message, stage, item, c, last);
      }
    }
  }

  static String describe(Object item) {
    String s;
    try {
      s = String.valueOf(item);
    } catch (RuntimeException e) {
      s = item.getClass().getName() + " (toString threw " + e + ")";
    }
    return s.length() > 200 ? s.substring(0, 197) + "..." : s;
  }

  @Override
  public String toString() {
    return "PipelineRun" + spec + "[" + stats().state() + "]";
  }
}
