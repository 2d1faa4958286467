package dev.sluice.internal;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * The iterator behind {@link TaskGroup#mapConcurrent}: keeps the group topped up from a lazy input
 * iterator and hands completions to the caller.
 *
 * <h2>Implementation overview</h2>
 *
 * Single-consumer: only the caller's thread touches the fields below, except {@link #results}, a
 * channel into which each task's finish hook (run by the group under its lock, on whichever thread
 * finished or dropped the task) sends exactly one completion. An input is <em>in flight</em> from
 * its submission until the caller has been handed its completion; {@link #inFlight} counts them and
 * {@link #hasNext()} submits a new input only while it is below {@link #maxInFlight}, so the bound
 * is strict. In input order, completions that arrive early wait in {@link #early}; they are still
 * in flight, so the buffer is bounded too.
 */
final class MapConcurrent<I, O> implements Iterator<Completion<I, O>> {
  private final Group group;
  private final Iterator<? extends I> inputs;
  private final int maxInFlight;
  private final boolean inputOrder;
  private final TaskGroup.Mapper<? super I, ? extends O> fn;
  private final LinkedChannel<Completion<I, O>> results = new LinkedChannel<>();
  private final ArrayDeque<GroupTask<?>> tasks = new ArrayDeque<>();
  private final Map<Long, Completion<I, O>> early = new HashMap<>();
  private long submitted;
  private long delivered;
  private int inFlight;
  private @Nullable Completion<I, O> next;

  MapConcurrent(
      Group group,
      Iterator<? extends I> inputs,
      int maxInFlight,
      boolean inputOrder,
      TaskGroup.Mapper<? super I, ? extends O> fn) {
    this.group = group;
    this.inputs = inputs;
    this.maxInFlight = maxInFlight;
    this.inputOrder = inputOrder;
    this.fn = fn;
  }

  Stream<Completion<I, O>> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.NONNULL), false)
        .onClose(this::cancelInFlight);
  }

  private void submitNext() {
    I input = inputs.next();
    long index = submitted++;
    GroupTask<O> task =
        group.submitIsolated(
            () -> fn.apply(input), t -> {}, t -> results.offer(completionOf(input, index, t)));
    inFlight++;
    tasks.addLast(task);
    if (tasks.size() > 2 * maxInFlight) {
      tasks.removeIf(GroupTask::isTerminal);
    }
  }

  @SuppressWarnings("unchecked")
  private Completion<I, O> completionOf(I input, long index, GroupTask<?> task) {
    GroupTask<O> t = (GroupTask<O>) task;
    return switch (t.state) {
      case GroupTask.SUCCEEDED -> new Completion<>(input, index, t.resultNow(), null);
      case GroupTask.FAILED -> new Completion<>(input, index, null, t.exceptionNow());
      default ->
          new Completion<>(
              input,
              index,
              null,
              new CancellationException("task of group '" + group.name() + "' was cancelled"));
    };
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    while (inFlight < maxInFlight && inputs.hasNext()) {
      submitNext();
    }
    if (inFlight == 0) {
      return false;
    }
    Completion<I, O> c = inputOrder ? early.remove(delivered) : null;
    while (c == null) {
      Completion<I, O> received = receive();
      if (!inputOrder || received.index() == delivered) {
        c = received;
      } else {
        early.put(received.index(), received);
      }
    }
    delivered++;
    inFlight--;
    next = c;
    return true;
  }

  private Completion<I, O> receive() {
    Completion<I, O> ready = results.poll();
    if (ready != null) {
      return ready;
    }
    try {
      // From inside a task of the group, wait without holding a slot: the tasks may need it.
      Completion<I, O> c = group.awaitReleasingSlot(() -> results.take(false, 0L));
      assert c != null;
      return c;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelInFlight();
      throw new CancellationException("interrupted while waiting for a completion");
    }
  }

  @Override
  public Completion<I, O> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Completion<I, O> c = next;
    next = null;
    assert c != null;
    return c;
  }

  private void cancelInFlight() {
    for (GroupTask<?> task : tasks) {
      task.cancel(true);
    }
    tasks.clear();
  }
}
