package dev.sluice.internal;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Emitter;
import dev.sluice.ErrorPolicy;
import dev.sluice.Expansion;
import dev.sluice.Pipeline;
import dev.sluice.TaskGroup;
import dev.sluice.TaskGroupException;
import dev.sluice.internal.PipelineSpec.StageSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * An {@code expand} stage, run as a {@link TaskGroup}: each item is a task, and a follow-up is a
 * task submitted from inside the group, so it never waits and runs before new input (the group runs
 * follow-ups first). One intake thread receives from the input and submits, waiting while the
 * group's backlog holds {@code capacity} tasks. When the input is closed and drained, the intake
 * waits for the group's {@code join()}: that returns exactly when every item and every follow-up
 * has finished, and only then does the stage close its output.
 *
 * <p><b>Implementation overview.</b> Tasks not yet started are kept in {@code queued} (a concurrent
 * set) so that, if the run stops and the group drops them, {@link #settle()} can report each as
 * discarded. Invariant: each item leaves {@code queued} exactly once, by whoever removes it first:
 * its task when it starts, its submit when the group rejects it, or {@code settle()} (which runs
 * after every thread ended). {@code group} is written before the intake starts and read by tasks of
 * that group (happens-before through the submit). Counters of tasks go to the shared cell, since
 * tasks run on any of the group's threads.
 */
final class ExpandRuntime extends StageRuntime {

  private final Pipeline.Expander<Object, Object> fn;
  private final boolean bufferAttempts;
  private final Set<ItemTask> queued = ConcurrentHashMap.newKeySet();
  private volatile @Nullable TaskGroup group;

  @SuppressWarnings("unchecked")
  ExpandRuntime(
      PipelineRun<?> run,
      int index,
      StageSpec spec,
      @Nullable Channel<Object> input,
      @Nullable Channel<Object> output) {
    super(run, index, spec, input, output);
    this.fn = (Pipeline.Expander<Object, Object>) Objects.requireNonNull(spec.fn());
    this.bufferAttempts = options.errorPolicy() instanceof ErrorPolicy.Retry;
  }

  @Override
  void start() {
    TaskGroup tasks = newGroup(name, options.workers(), options.capacity());
    group = tasks;
    TaskGroup intake = newGroup(name + "-intake", 1, Integer.MAX_VALUE);
    startWorkers(intake, 1, () -> pump(tasks), false);
  }

  private void pump(TaskGroup tasks) {
    StageCounters.Cell cell = counters.newCell();
    while (true) {
      Object item;
      try {
        item = takeUntimed(cell);
      } catch (ChannelClosedException e) {
        break;
      } catch (InterruptedException e) {
        if (run.isStopping()) {
          return;
        }
        continue;
      }
      try {
        submit(tasks, item);
      } catch (RejectedExecutionException e) {
        return;
      }
    }
    try {
      tasks.join();
    } catch (CancellationException | InterruptedException e) {
      // Stopping.
    } catch (TaskGroupException e) {
      run.fail(name, null, e);
    }
  }

  /**
   * Submits {@code item} as a task, remembered in {@code queued} until it starts.
   *
   * @throws RejectedExecutionException if the group is cancelled (the run is stopping); the item is
   *     then counted as discarded
   */
  private void submit(TaskGroup tasks, Object item) {
    ItemTask task = new ItemTask(item);
    queued.add(task);
    try {
      tasks.submit(task);
    } catch (RejectedExecutionException e) {
      if (queued.remove(task)) {
        discard(item);
      }
      throw e;
    }
  }

  /** One item or follow-up. */
  private final class ItemTask implements Callable<@Nullable Void> {
    final Object item;

    ItemTask(Object item) {
      this.item = item;
    }

    @Override
    public @Nullable Void call() {
      if (!queued.remove(this)) {
        return null;
      }
      if (run.isStopping()) {
        discard(item);
        return null;
      }
      long started = counters.workerStarted();
      try {
        StageCounters.Cell cell = counters.shared;
        switch (handle(item, ExpandRuntime.this::attempt, direct(cell), cell)) {
          case PASSED -> cell.succeeded();
          case FILTERED -> cell.filtered();
          case FAILED, STOP -> {}
        }
      } finally {
        counters.workerEnded(started);
      }
      return null;
    }
  }

  private boolean attempt(Object item, Emitter<Object> out) throws Exception {
    if (!bufferAttempts) {
      fn.expand(item, new Context(out, null));
      return true;
    }
    Buffer outputs = new Buffer();
    List<Object> followUps = new ArrayList<>();
    fn.expand(item, new Context(outputs, followUps));
    for (Object o : outputs.items) {
      out.emit(o);
    }
    for (Object f : followUps) {
      followUp(f);
    }
    return true;
  }

  private void followUp(Object item) {
    counters.shared.followUp();
    submit(Objects.requireNonNull(group), item);
  }

  /** What the user's function sees. */
  private final class Context implements Expansion<Object, Object> {
    private final Emitter<Object> out;
    private final @Nullable List<Object> heldFollowUps;

    Context(Emitter<Object> out, @Nullable List<Object> heldFollowUps) {
      this.out = out;
      this.heldFollowUps = heldFollowUps;
    }

    @Override
    public void emit(Object item) throws InterruptedException {
      out.emit(requireItem(item));
    }

    @Override
    public void followUp(Object item) {
      Object f = Objects.requireNonNull(item, "item");
      if (heldFollowUps != null) {
        heldFollowUps.add(f);
      } else {
        ExpandRuntime.this.followUp(f);
      }
    }
  }

  @Override
  void settle() {
    for (ItemTask task : queued) {
      discard(task.item);
    }
    queued.clear();
  }
}
