package dev.sluice.internal;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * The iterator behind {@link TaskGroup#mapConcurrent}: keeps the group topped up from a lazy input
 * iterator and hands completions to the caller.
 *
 * <h2>Implementation overview</h2>
 *
 * <p>Single consumer: only the caller's thread touches the fields below, except {@link #done} and
 * {@link #consumer}. Each input becomes one {@link Item}, a task of the group that carries its
 * input and index and applies {@link #fn} itself (no wrapper objects). When the group stops
 * counting an item (it finished, or was dropped), the finishing thread pushes the item on {@link
 * #done}, a Treiber stack, and unparks {@link #consumer} if it is parked. The consumer takes the
 * whole stack at once and reverses it into {@link #ready}, so items are delivered in the order they
 * finished. The consumer publishes itself in {@link #consumer} before it re-reads {@link #done}; a
 * finisher pushes before it reads {@link #consumer}: one of them sees the other.
 *
 * <p>An input is <em>in flight</em> from its submission until the caller has been handed its
 * completion; {@link #inFlight} counts them and {@link #hasNext()} submits a new input only while
 * it is below {@link #maxInFlight}, so the bound is strict. In input order, completions that arrive
 * early wait in {@link #early}; they are still in flight, so the buffer is bounded too. {@link
 * #tasks} keeps the items in flight for cancellation, trimmed of finished ones now and then.
 */
final class MapConcurrent<I, O> implements Iterator<Completion<I, O>> {
  private static final VarHandle DONE;
  private static final boolean SPIN = Runtime.getRuntime().availableProcessors() > 1;
  private static final int SPINS = 512;
  private static final int YIELDS = 16;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(MapConcurrent.class, "done", Item.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Group group;
  private final Iterator<? extends I> inputs;
  private final int maxInFlight;
  private final boolean inputOrder;
  private final TaskGroup.Mapper<? super I, ? extends O> fn;
  private final ArrayDeque<Item<I, O>> tasks = new ArrayDeque<>();
  private final Map<Long, Completion<I, O>> early = new HashMap<>();
  private volatile @Nullable Item<I, O> done;
  private volatile @Nullable Thread consumer;
  private @Nullable Item<I, O> ready;
  private long submitted;
  private long delivered;
  private int inFlight;
  private @Nullable Completion<I, O> next;

  /** One input as a task of the group. */
  static final class Item<I, O> extends GroupTask<O> {
    final MapConcurrent<I, O> owner;
    final I input;
    final long index;
    @Nullable Item<I, O> nextDone;

    Item(MapConcurrent<I, O> owner, I input, long index, boolean fromOutside) {
      super(owner.group, fromOutside, true);
      this.owner = owner;
      this.input = input;
      this.index = index;
    }

    @Override
    @Nullable O call() throws Exception {
      return owner.fn.apply(input);
    }

    @Override
    void finished() {
      owner.finished(this);
    }
  }

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

  /** Any thread: an item the group no longer counts. */
  private void finished(Item<I, O> item) {
    Item<I, O> head;
    do {
      head = done;
      item.nextDone = head;
    } while (!DONE.compareAndSet(this, head, item));
    Thread c = consumer;
    if (c != null) {
      LockSupport.unpark(c);
    }
  }

  private void submitNext() {
    I input = inputs.next();
    long index = submitted++;
    Item<I, O> item = new Item<>(this, input, index, !group.isInside());
    group.submitBuilt(item);
    inFlight++;
    tasks.addLast(item);
    if (tasks.size() > 2 * maxInFlight) {
      tasks.removeIf(GroupTask::isTerminal);
    }
  }

  private Completion<I, O> completionOf(Item<I, O> item) {
    return switch (item.status()) {
      case GroupTask.SUCCEEDED -> new Completion<>(item.input, item.index, item.value(), null);
      case GroupTask.FAILED -> new Completion<>(item.input, item.index, null, item.failure());
      default ->
          new Completion<>(
              item.input,
              item.index,
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
      Completion<I, O> received = completionOf(receive());
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

  /** The next finished item, oldest first; waits if there is none. */
  private Item<I, O> receive() {
    Item<I, O> item = takeReady();
    if (item != null) {
      return item;
    }
    try {
      // From inside a task of the group, wait without holding a slot: the tasks may need it.
      group.awaitReleasingSlot(this::awaitDone);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelInFlight();
      throw new CancellationException("interrupted while waiting for a completion");
    }
    item = takeReady();
    assert item != null;
    return item;
  }

  private @Nullable Item<I, O> takeReady() {
    Item<I, O> item = ready;
    if (item == null) {
      Item<I, O> batch = (Item<I, O>) DONE.getAndSet(this, (Item<I, O>) null);
      // reverse: the stack is newest first
      while (batch != null) {
        Item<I, O> rest = batch.nextDone;
        batch.nextDone = item;
        item = batch;
        batch = rest;
      }
      if (item == null) {
        return null;
      }
    }
    ready = item.nextDone;
    item.nextDone = null;
    return item;
  }

  private @Nullable Void awaitDone() throws InterruptedException {
    // A platform consumer keeping up with fast tasks would otherwise park and be unparked for
    // almost every completion: look a few times first (never spin on a virtual thread).
    if (SPIN && !Thread.currentThread().isVirtual()) {
      for (int i = 0; i < SPINS && done == null; i++) {
        if (i < SPINS - YIELDS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      if (done != null) {
        return null;
      }
    }
    consumer = Thread.currentThread();
    try {
      while (done == null) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } finally {
      consumer = null;
    }
    return null;
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
    for (Item<I, O> task : tasks) {
      task.cancel(true);
    }
    tasks.clear();
  }
}
