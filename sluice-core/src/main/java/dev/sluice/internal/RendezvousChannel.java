package dev.sluice.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import org.jspecify.annotations.Nullable;

/**
 * A channel without a buffer ({@link dev.sluice.Channel#rendezvous}): each send completes only by
 * handing its item to a receiver.
 *
 * <h2>Implementation overview</h2>
 *
 * {@link #lock} guards both queues of parked parties, and each party waits on a condition of its
 * own. At most one of {@link #senders} and {@link #receivers} is non-empty: an arriving sender
 * first serves the oldest waiting receiver (sets its {@code item}, signals it), an arriving
 * receiver first takes from the oldest waiting sender (sets {@code taken}, signals it); only when
 * nobody waits on the other side does the caller enqueue itself and wait. A party whose hand-off
 * has happened never undoes it: a sender or receiver interrupted after its partner completed the
 * exchange returns normally with its interrupt status set again; one interrupted, timed out or
 * closed before that removes itself and has exchanged nothing.
 *
 * <p>Close empties both queues and wakes everyone: waiting senders then throw (their items were not
 * delivered) and receivers throw, so nothing is handed over once the channel is closed. Nothing is
 * buffered, so {@code size()} is 0 and {@code cancel} returns nothing. The lock gives every
 * happens-before edge.
 */
public final class RendezvousChannel<T> extends LockedChannel<T> {

  private final class Party {
    final Condition ready = lock.newCondition();
    @Nullable T item;
    boolean taken;

    Party(@Nullable T item) {
      this.item = item;
    }
  }

  private final ArrayDeque<Party> senders = new ArrayDeque<>();
  private final ArrayDeque<Party> receivers = new ArrayDeque<>();

  /** Creates an open channel. */
  public RendezvousChannel() {}

  @Override
  protected boolean offer(T item) {
    lock.lock();
    try {
      return handToReceiver(item);
    } finally {
      lock.unlock();
    }
  }

  /** Gives {@code item} to the oldest waiting receiver; the caller holds the lock. */
  private boolean handToReceiver(T item) {
    if (closed) {
      throw closedForSend();
    }
    Party receiver = receivers.pollFirst();
    if (receiver == null) {
      return false;
    }
    receiver.item = item;
    receiver.ready.signal();
    return true;
  }

  @Override
  protected boolean put(T item, boolean timed, long deadline) throws InterruptedException {
    lock.lock();
    try {
      if (handToReceiver(item)) {
        return true;
      }
      Party self = new Party(item);
      senders.addLast(self);
      try {
        while (!self.taken) {
          if (closed) {
            senders.remove(self); // already cleared by close; harmless
            throw closedForSend();
          }
          if (!await(self.ready, timed, deadline)) {
            senders.remove(self);
            return false;
          }
        }
        return true;
      } catch (InterruptedException e) {
        if (self.taken) {
          Thread.currentThread().interrupt();
          return true;
        }
        senders.remove(self);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes the item of the oldest waiting sender; the caller holds the lock. */
  private @Nullable T takeFromSender() {
    if (closed) {
      throw closedForReceive(); // nothing is buffered; waiting senders are being turned away
    }
    Party sender = senders.pollFirst();
    if (sender == null) {
      return null;
    }
    sender.taken = true;
    sender.ready.signal();
    return sender.item;
  }

  @Override
  protected @Nullable T poll() {
    lock.lock();
    try {
      return takeFromSender();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected @Nullable T take(boolean timed, long deadline) throws InterruptedException {
    lock.lock();
    try {
      T item = takeFromSender();
      if (item != null) {
        return item;
      }
      Party self = new Party(null);
      receivers.addLast(self);
      try {
        while (self.item == null) {
          if (closed) {
            receivers.remove(self);
            throw closedForReceive();
          }
          if (!await(self.ready, timed, deadline)) {
            receivers.remove(self);
            return null;
          }
        }
        return self.item;
      } catch (InterruptedException e) {
        if (self.item != null) {
          Thread.currentThread().interrupt();
          return self.item;
        }
        receivers.remove(self);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void wakeAllForClose() {
    for (Party party : senders) {
      party.ready.signal();
    }
    for (Party party : receivers) {
      party.ready.signal();
    }
    senders.clear(); // each wakes, sees closed and throws: its item was not delivered
    receivers.clear();
  }

  @Override
  public List<T> cancel(Throwable cause) {
    closeWith(Objects.requireNonNull(cause, "cause"));
    return new ArrayList<>();
  }

  @Override
  public boolean isClosedForReceive() {
    return closed;
  }

  @Override
  public int size() {
    return 0;
  }

  @Override
  public int capacity() {
    return 0;
  }

  @Override
  protected int remainingCapacity() {
    return 0;
  }

  @Override
  protected @Nullable T peek() {
    return null;
  }

  @Override
  protected boolean removeItem(Object o) {
    return false;
  }

  @Override
  protected Iterator<T> iterator() {
    return Collections.emptyIterator();
  }
}
