package dev.sluice.internal;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO of threads parked until some condition (a channel has an item, or has room) may hold.
 *
 * <h2>Implementation overview</h2>
 *
 * A waiter {@link #enqueue() enqueues} a node, <em>then</em> re-checks its condition, and parks
 * only while its node has not been {@link Node#signalled signalled}. A thread that makes the
 * condition true first publishes that (a CAS or volatile write on the structure's index),
 * <em>then</em> calls {@link #signalOne()}, which reads {@link #waiting} and does nothing when it
 * is zero. Both sides pair a volatile write with a later volatile read (Dekker): either the
 * signaller sees the waiter's node, or the waiter's re-check sees the signaller's change. So the
 * common case, nobody waiting, costs one volatile read and takes no lock.
 *
 * <p>{@link #lock} guards {@link #nodes}; {@link #waiting} mirrors {@code nodes.size()} and is
 * written only under the lock. A node leaves the queue either by being signalled (removed by the
 * signaller, {@code signalled} set before the unpark) or by its owner giving up ({@link
 * #dequeue(Node)}: timeout, interrupt, condition found true on the re-check). An owner that gives
 * up after having been signalled has swallowed a wake-up meant for someone able to use it, and must
 * pass it on with {@link #signalOne()}: {@code dequeue} tells it so.
 *
 * <p>Parking uses {@link LockSupport}, never {@code synchronized}, so virtual threads do not pin.
 */
final class WaitQueue {

  /** One parked thread. */
  static final class Node {
    final Thread thread = Thread.currentThread();

    /** Set (before the unpark) by the thread that removed this node to wake it. */
    volatile boolean signalled;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Node> nodes = new ArrayDeque<>();
  private volatile int waiting;

  /** Adds the calling thread; the caller must re-check its condition before parking. */
  Node enqueue() {
    Node node = new Node();
    lock.lock();
    try {
      nodes.addLast(node);
      waiting = nodes.size();
    } finally {
      lock.unlock();
    }
    return node;
  }

  /**
   * Removes {@code node} if it is still queued.
   *
   * @return true if the node had already been signalled (the caller owes a wake-up if it leaves
   *     without using it)
   */
  boolean dequeue(Node node) {
    if (node.signalled) {
      return true;
    }
    lock.lock();
    try {
      if (nodes.remove(node)) {
        waiting = nodes.size();
        return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether any thread is queued (a volatile read; may be stale by the time it returns). */
  boolean hasWaiters() {
    return waiting != 0;
  }

  /** Wakes the longest-waiting thread, if any. */
  void signalOne() {
    if (waiting == 0) {
      return;
    }
    Node node;
    lock.lock();
    try {
      node = nodes.pollFirst();
      waiting = nodes.size();
      if (node != null) {
        node.signalled = true;
      }
    } finally {
      lock.unlock();
    }
    if (node != null) {
      LockSupport.unpark(node.thread);
    }
  }

  /** Wakes every queued thread. */
  void signalAll() {
    if (waiting == 0) {
      return;
    }
    Node[] all;
    lock.lock();
    try {
      all = nodes.toArray(new Node[0]);
      nodes.clear();
      waiting = 0;
      for (Node node : all) {
        node.signalled = true;
      }
    } finally {
      lock.unlock();
    }
    for (Node node : all) {
      LockSupport.unpark(node.thread);
    }
  }

  /**
   * Parks the calling thread until {@code node} is signalled, the deadline passes or the thread is
   * interrupted.
   *
   * @param deadline a {@link System#nanoTime()} deadline, ignored when {@code timed} is false
   * @return true if signalled, false if the deadline passed first
   * @throws InterruptedException if interrupted before being signalled
   */
  static boolean park(Node node, boolean timed, long deadline, Object blocker)
      throws InterruptedException {
    while (!node.signalled) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (timed) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        LockSupport.parkNanos(blocker, remaining);
      } else {
        LockSupport.park(blocker);
      }
    }
    return true;
  }
}
