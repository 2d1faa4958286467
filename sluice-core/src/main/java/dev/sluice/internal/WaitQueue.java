package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO of threads parked until some condition (a channel has an item, or has room) may hold.
 *
 * <h2>Implementation overview</h2>
 *
 * A waiter {@link #enqueue() enqueues} a node, <em>then</em> re-checks its condition, and parks
 * only while its node is still {@code WAITING}. A thread that makes the condition true first
 * publishes that (a CAS on the structure's index), <em>then</em> calls {@link #hasWaiters()} and,
 * if so, {@link #signalOne()}. {@link #waiting} is incremented (a volatile read-modify-write)
 * before the waiter's re-check, and read after the signaller's CAS (Dekker): either the signaller
 * sees the waiter, or the waiter's re-check sees the signaller's change. So the common case, nobody
 * waiting, costs one volatile read and takes no lock.
 *
 * <p>Each node moves once, by CAS, from {@code WAITING} to either {@code SIGNALLED} (by a
 * signaller, who then unparks it) or {@code CANCELLED} (by its owner giving up: timeout, interrupt,
 * or the condition found true on the re-check). Whoever wins the CAS decrements {@link #waiting},
 * so it counts exactly the {@code WAITING} nodes. Cancelling takes no lock: the node stays in
 * {@link #nodes} and signallers skip it; {@link #enqueue()} sweeps cancelled nodes out when they
 * outnumber the waiting ones, so the deque stays proportional to the waiters. An owner whose cancel
 * CAS fails has been signalled: it swallowed a wake-up meant for someone able to use it and, if it
 * leaves without using its turn, must pass it on ({@link #cancel} tells it so).
 *
 * <p>{@link #lock} guards {@link #nodes}; {@link #cancelled} only estimates the cancelled nodes
 * still in it, to decide when to sweep. Parking uses {@link LockSupport}, never {@code
 * synchronized}, so virtual threads do not pin their carriers.
 */
final class WaitQueue {

  private static final int WAITING = 0;
  private static final int SIGNALLED = 1;
  private static final int CANCELLED = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Node.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One parked thread. */
  static final class Node {
    final Thread thread = Thread.currentThread();
    volatile int state;

    boolean isSignalled() {
      return state == SIGNALLED;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Node> nodes = new ArrayDeque<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger cancelled = new AtomicInteger();

  /** Adds the calling thread; the caller must re-check its condition before parking. */
  Node enqueue() {
    Node node = new Node();
    lock.lock();
    try {
      int stale = cancelled.get();
      if (stale > 16 && stale > nodes.size() / 2) {
        sweep();
      }
      nodes.addLast(node);
      waiting.incrementAndGet();
    } finally {
      lock.unlock();
    }
    return node;
  }

  private void sweep() {
    for (Iterator<Node> it = nodes.iterator(); it.hasNext(); ) {
      if (it.next().state == CANCELLED) {
        it.remove();
      }
    }
    cancelled.set(0); // approximate: cancels racing with the sweep are counted again later
  }

  /**
   * Gives up waiting on {@code node}.
   *
   * @return true if the node had already been signalled (the caller owes a wake-up if it leaves
   *     without using its turn)
   */
  boolean cancel(Node node) {
    if (STATE.compareAndSet(node, WAITING, CANCELLED)) {
      waiting.decrementAndGet();
      cancelled.incrementAndGet();
      return false;
    }
    return true;
  }

  /** Whether any thread is waiting (a volatile read; may be stale by the time it returns). */
  boolean hasWaiters() {
    return waiting.get() != 0;
  }

  /** Wakes the longest-waiting thread, if any. */
  void signalOne() {
    if (waiting.get() == 0) {
      return;
    }
    Node node;
    lock.lock();
    try {
      while ((node = nodes.pollFirst()) != null) {
        if (STATE.compareAndSet(node, WAITING, SIGNALLED)) {
          waiting.decrementAndGet();
          break;
        }
        cancelled.decrementAndGet();
      }
    } finally {
      lock.unlock();
    }
    if (node != null) {
      LockSupport.unpark(node.thread);
    }
  }

  /** Wakes every waiting thread. */
  void signalAll() {
    if (waiting.get() == 0) {
      return;
    }
    Node[] all;
    lock.lock();
    try {
      all = nodes.toArray(new Node[0]);
      nodes.clear();
      cancelled.set(0);
    } finally {
      lock.unlock();
    }
    for (Node node : all) {
      if (STATE.compareAndSet(node, WAITING, SIGNALLED)) {
        waiting.decrementAndGet();
        LockSupport.unpark(node.thread);
      }
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
    while (!node.isSignalled()) {
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
