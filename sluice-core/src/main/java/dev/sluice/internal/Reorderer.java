package dev.sluice.internal;

import dev.sluice.Emitter;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The intake and output order of an ordered stage.
 *
 * <p><b>Implementation overview.</b> Items are numbered as they are taken from the input, under
 * {@code intake} so that numbers follow input order. A worker takes number {@code next} only while
 * {@code next - head < window}, so at most {@code window} items are between intake and emission. A
 * finished item is stored in {@code slots[seq % window]}; whoever finds the slot at {@code head}
 * filled while nobody is flushing becomes the flusher: it removes slots from {@code head} onwards
 * while they are filled, emitting each one's outputs outside the lock, until it finds an empty
 * slot. {@code lock} guards {@code head}, {@code next} (also read under {@code intake}), {@code
 * slots} and {@code flushing}; {@code room} is signalled whenever {@code head} moves. No completion
 * is stranded: the flusher re-checks the head slot under the lock before it clears {@code
 * flushing}, and a completer that sees {@code flushing} set knows the flusher will re-check after
 * it.
 */
final class Reorderer {

  /** An item between intake and emission. */
  static final class Slot {
    final long seq;
    final Object item;
    @Nullable List<Object> outputs;
    boolean passed;

    Slot(long seq, Object item) {
      this.seq = seq;
      this.item = item;
    }
  }

  private final LoopRuntime stage;
  private final int window;
  private final ReentrantLock intake = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final @Nullable Slot[] slots;
  private long head;
  private long next;
  private boolean flushing;

  Reorderer(LoopRuntime stage, int window) {
    this.stage = stage;
    this.window = window;
    this.slots = new Slot[window];
  }

  /**
   * Takes the next input item and numbers it, waiting for room in the window first.
   *
   * @throws dev.sluice.ChannelClosedException when the input is closed and drained
   */
  Slot take(StageCounters.Cell cell) throws InterruptedException {
    stage.lockIdle(intake);
    try {
      long seq;
      lock.lockInterruptibly();
      try {
        if (next - head >= window) {
          long started = stage.counters.idleStarted();
          try {
            while (next - head >= window) {
              room.await();
            }
          } finally {
            stage.counters.idleEnded(started);
          }
        }
        seq = next;
      } finally {
        lock.unlock();
      }
      // Only the intake holder moves next, so the number stays ours while we receive.
      Object item = stage.take(cell);
      lock.lock();
      try {
        next = seq + 1;
      } finally {
        lock.unlock();
      }
      return new Slot(seq, item);
    } finally {
      intake.unlock();
    }
  }

  /**
   * Stores a finished item and, if it is at the head and nobody is flushing, flushes.
   *
   * @return false if the run stopped while this thread was flushing
   */
  boolean complete(Slot slot, boolean passed, Emitter<Object> out, StageCounters.Cell cell) {
    slot.passed = passed;
    lock.lock();
    try {
      slots[index(slot.seq)] = slot;
      if (flushing) {
        return true;
      }
      flushing = true;
      while (true) {
        Slot first = slots[index(head)];
        if (first == null || first.seq != head) {
          flushing = false;
          return true;
        }
        slots[index(head)] = null;
        head++;
        room.signalAll();
        lock.unlock();
        boolean delivered;
        try {
          List<Object> outputs = first.outputs;
          delivered =
              stage.deliver(
                  first.item, outputs == null ? List.of() : outputs, first.passed, out, cell);
        } finally {
          lock.lock();
        }
        if (!delivered) {
          flushing = false;
          return false;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** After every thread ended: items finished but never emitted are discarded. */
  void settle() {
    lock.lock();
    try {
      for (int i = 0; i < slots.length; i++) {
        Slot slot = slots[i];
        if (slot != null) {
          slots[i] = null;
          if (slot.passed) {
            stage.discard(slot.item);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private int index(long seq) {
    return (int) (seq % window);
  }

  @Override
  public String toString() {
    return "Reorderer[window=" + window + ", head=" + head + ", next=" + next + "]";
  }
}
