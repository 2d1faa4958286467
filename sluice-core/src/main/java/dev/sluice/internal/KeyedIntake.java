package dev.sluice.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The intake of a keyed stage: at most one item per key is in a worker's hands at a time, and a
 * key's items are processed in input order; different keys run in parallel.
 *
 * <p><b>Implementation overview.</b> {@code active} maps each key that a worker holds to the items
 * of that key parked behind it, in input order. A worker that finishes an item of key {@code k}
 * continues with the next parked item of {@code k} itself, so a key's chain never changes hands and
 * its outputs keep input order; when none is parked, the key leaves {@code active}. A worker with
 * no chain receives from the input under {@code intake}: an item whose key is active is parked (at
 * most {@code maxParked} in all; beyond that the receiving worker waits on {@code room}, which
 * keeps memory bounded) and the worker receives again; any other item makes its key active and is
 * the worker's. {@code lock} guards {@code active} and {@code parked}; it is never held while
 * receiving.
 */
final class KeyedIntake {

  /** An item and its key. */
  record Taken(Object item, Object key) {}

  /** The key function threw. */
  static final class KeyFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Object item;

    KeyFailure(Object item, Throwable cause) {
      super("the key function threw", cause);
      this.item = item;
    }
  }

  private static final Object NULL_KEY = new Object();

  private final StageRuntime stage;
  private final Function<Object, ?> key;
  private final int maxParked;
  private final ReentrantLock intake = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final Map<Object, ArrayDeque<Object>> active = new HashMap<>();
  private int parked;

  KeyedIntake(StageRuntime stage, Function<Object, ?> key, int maxParked) {
    this.stage = stage;
    this.key = key;
    this.maxParked = maxParked;
  }

  /**
   * Ends a worker's turn on {@code heldKey}: returns the next item parked behind it, which the
   * worker must process next, or null after releasing the key.
   */
  @Nullable Taken continueOrRelease(Object heldKey) {
    lock.lock();
    try {
      ArrayDeque<Object> queue = active.get(heldKey);
      if (queue != null && !queue.isEmpty()) {
        parked--;
        room.signal();
        return new Taken(queue.poll(), heldKey);
      }
      active.remove(heldKey);
      return null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes new input for a worker that holds no key: parks items whose key is held by another
   * worker, and returns the first item whose key is free, now held by the caller.
   *
   * @throws dev.sluice.ChannelClosedException when the input is closed and drained
   * @throws KeyFailure if the key function throws
   */
  Taken take(StageCounters.Cell cell) throws InterruptedException {
    stage.lockIdle(intake);
    try {
      while (true) {
        lock.lockInterruptibly();
        try {
          if (parked >= maxParked) {
            long started = stage.counters.idleStarted();
            try {
              while (parked >= maxParked) {
                room.await();
              }
            } finally {
              stage.counters.idleEnded(started);
            }
          }
        } finally {
          lock.unlock();
        }
        Object item = stage.take(cell);
        Object k;
        try {
          k = key.apply(item);
        } catch (RuntimeException | Error e) {
          throw new KeyFailure(item, e);
        }
        if (k == null) {
          k = NULL_KEY;
        }
        lock.lock();
        try {
          ArrayDeque<Object> queue = active.get(k);
          if (queue == null) {
            active.put(k, new ArrayDeque<>(2));
            return new Taken(item, k);
          }
          queue.add(item);
          parked++;
        } finally {
          lock.unlock();
        }
      }
    } finally {
      intake.unlock();
    }
  }

  /** After every thread ended: parked items are discarded. */
  void settle() {
    lock.lock();
    try {
      for (ArrayDeque<Object> queue : active.values()) {
        for (Object item : queue) {
          stage.discard(item);
        }
        queue.clear();
      }
      active.clear();
      parked = 0;
    } finally {
      lock.unlock();
    }
  }
}
