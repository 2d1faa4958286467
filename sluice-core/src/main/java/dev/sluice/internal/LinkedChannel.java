package dev.sluice.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import org.jspecify.annotations.Nullable;

/**
 * An unbounded channel on a linked list guarded by one lock ({@link dev.sluice.Channel#unbounded}).
 *
 * <h2>Implementation overview</h2>
 *
 * {@link #lock} guards every field below it (and the close state in {@link LockedChannel}). The
 * list starts at a dummy {@link #head} whose item is null; {@link #last} is the last node. A
 * receive takes {@code head.next}, clears its item, makes it the new dummy and links the old dummy
 * to itself, so that an iterator standing on a received node knows to restart from the head.
 * Removal from the middle unlinks the node from its predecessor but leaves the node's own {@code
 * next}, so an iterator standing on it can continue. Iterators read and advance under the lock and
 * remember the item they will return next (weak consistency as in {@link
 * java.util.concurrent.LinkedBlockingQueue}).
 *
 * <p>Sends never wait. Receivers wait on {@link #notEmpty}; a send signals one, close signals all.
 * The lock gives every happens-before edge (sender's writes before its unlock, receiver's reads
 * after its lock).
 */
public final class LinkedChannel<T> extends LockedChannel<T> {

  private static final class Node<T> {
    @Nullable T item;
    @Nullable Node<T> next;

    Node(@Nullable T item) {
      this.item = item;
    }
  }

  private final Condition notEmpty = lock.newCondition();
  private Node<T> head = new Node<>(null);
  private Node<T> last = head;
  private int count;

  /** Creates an open channel. */
  public LinkedChannel() {}

  @Override
  protected boolean offer(T item) {
    lock.lock();
    try {
      if (closed) {
        throw closedForSend();
      }
      Node<T> node = new Node<>(item);
      last.next = node;
      last = node;
      count++;
      notEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean put(T item, boolean timed, long deadline) {
    return offer(item); // never full
  }

  /** Takes the first item; the caller holds the lock and has checked {@code count > 0}. */
  private T dequeue() {
    Node<T> dummy = head;
    Node<T> first = dummy.next;
    assert first != null && first.item != null;
    T item = first.item;
    first.item = null;
    dummy.next = dummy; // tells iterators standing here to restart from the head
    head = first;
    if (--count == 0) {
      last = first;
    }
    return item;
  }

  @Override
  protected @Nullable T poll() {
    lock.lock();
    try {
      if (count > 0) {
        return dequeue();
      }
      if (closed) {
        throw closedForReceive();
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected @Nullable T take(boolean timed, long deadline) throws InterruptedException {
    lock.lock();
    try {
      while (count == 0) {
        if (closed) {
          throw closedForReceive();
        }
        if (!await(notEmpty, timed, deadline)) {
          return null;
        }
      }
      return dequeue();
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected void wakeAllForClose() {
    notEmpty.signalAll();
  }

  @Override
  public List<T> cancel(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    lock.lock();
    try {
      closeWith(cause);
      List<T> items = new ArrayList<>(count);
      while (count > 0) {
        items.add(dequeue());
      }
      return items;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isClosedForReceive() {
    if (!closed) {
      return false;
    }
    lock.lock();
    try {
      return count == 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int capacity() {
    return Integer.MAX_VALUE;
  }

  @Override
  protected int remainingCapacity() {
    return Integer.MAX_VALUE;
  }

  @Override
  protected @Nullable T peek() {
    lock.lock();
    try {
      Node<T> first = head.next;
      return first == null ? null : first.item;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected boolean removeItem(Object o) {
    lock.lock();
    try {
      for (Node<T> trail = head, p = trail.next; p != null; trail = p, p = p.next) {
        if (o.equals(p.item)) {
          unlink(p, trail);
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Unlinks {@code p} from its predecessor {@code trail}; keeps {@code p.next} for iterators. */
  private void unlink(Node<T> p, Node<T> trail) {
    p.item = null;
    trail.next = p.next;
    if (last == p) {
      last = trail;
    }
    count--;
  }

  @Override
  protected Iterator<T> iterator() {
    return new Itr();
  }

  private final class Itr implements Iterator<T> {
    private @Nullable Node<T> next;
    private @Nullable T nextItem;
    private @Nullable Node<T> lastReturned;

    Itr() {
      lock.lock();
      try {
        advance(head);
      } finally {
        lock.unlock();
      }
    }

    /** Moves to the first live node after {@code p}; the caller holds the lock. */
    private void advance(Node<T> p) {
      for (; ; ) {
        Node<T> s = p.next;
        if (s == p) {
          s = head.next; // p was received: continue from the current first item
        }
        if (s == null || s.item != null) {
          next = s;
          nextItem = s == null ? null : s.item;
          return;
        }
        p = s;
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public T next() {
      Node<T> current = next;
      T item = nextItem;
      if (current == null || item == null) {
        throw new NoSuchElementException();
      }
      lastReturned = current;
      lock.lock();
      try {
        advance(current);
      } finally {
        lock.unlock();
      }
      return item;
    }

    @Override
    public void remove() {
      Node<T> target = lastReturned;
      if (target == null) {
        throw new IllegalStateException("next() has not been called, or remove() already was");
      }
      lastReturned = null;
      lock.lock();
      try {
        if (target.item != null) {
          for (Node<T> trail = head, p = trail.next; p != null; trail = p, p = p.next) {
            if (p == target) {
              unlink(p, trail);
              return;
            }
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
