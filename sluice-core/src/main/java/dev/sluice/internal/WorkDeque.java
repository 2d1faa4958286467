package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * A runner's own deque of follow-up tasks: the owner pushes and pops at the top (newest first,
 * without contention), other threads steal at the base (oldest first).
 *
 * <h2>Implementation overview</h2>
 *
 * A circular array indexed by two ever-growing ints, {@link #base} (next slot to steal) and {@link
 * #top} (next slot to push); the items are at {@code base .. top-1}. Every item leaves the array
 * through a CAS of its slot from the item to null, by the owner ({@link #pop}), a thief ({@link
 * #steal}) or the owner moving it while it grows the array, so each item is taken exactly once, and
 * no taken item stays referenced. Only the owner writes {@link #top} and {@link #array} (release:
 * the slot is written before {@code top} publishes it, and a grown array before its items); a thief
 * advances {@link #base} (volatile) after winning its slot. A thief that sees an empty slot inside
 * {@code base .. top-1} (an item being taken or moved) reports the deque empty for now; callers
 * that must not miss an item re-check with {@link #isEmpty} after publishing their intent to sleep.
 * The owner grows the array while {@code top - base} could reach its length, so a slot is never
 * reused while a thief with a stale {@code base} may still be after its old item.
 *
 * <p>This is the slot-CAS variant of the work-stealing deque of Chase and Lev as used by the JDK 8
 * {@code ForkJoinPool.WorkQueue}.
 */
final class WorkDeque {
  private static final int INITIAL_CAPACITY = 1 << 6;
  private static final int MAX_CAPACITY = 1 << 28;

  private static final VarHandle BASE;
  private static final VarHandle TOP;
  private static final VarHandle ARRAY;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      BASE = l.findVarHandle(WorkDeque.class, "base", int.class);
      TOP = l.findVarHandle(WorkDeque.class, "top", int.class);
      ARRAY = l.findVarHandle(WorkDeque.class, "array", Object[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Next slot to steal; volatile, advanced by thieves with a CAS-won slot. */
  private volatile int base;

  /** Next slot to push; written by the owner only (release), read by thieves (acquire). */
  @SuppressWarnings("unused") // accessed through TOP
  private int top;

  /** Written by the owner only (release), read by thieves (acquire). */
  private Object[] array = new Object[INITIAL_CAPACITY];

  /**
   * Owner only: pushes a task on top.
   *
   * @return whether the deque looked empty before (no task between base and top)
   */
  boolean push(GroupTask<?> task) {
    Object[] a = array; // owner: plain
    int s = (int) TOP.get(this); // owner: plain
    int n = s - base;
    if (n >= a.length - 1) {
      a = grow(a, s);
    }
    SLOT.setRelease(a, s & (a.length - 1), task);
    TOP.setRelease(this, s + 1);
    return n <= 0;
  }

  /** Owner only: takes the newest task, or null if empty. */
  @Nullable GroupTask<?> pop() {
    Object[] a = array;
    while (true) {
      int s = (int) TOP.get(this) - 1;
      if (s - base < 0) {
        return null;
      }
      int i = s & (a.length - 1);
      Object x = SLOT.getAcquire(a, i);
      if (x == null) {
        return null; // the last item, just stolen
      }
      if (SLOT.compareAndSet(a, i, x, null)) {
        TOP.setRelease(this, s);
        return (GroupTask<?>) x;
      }
    }
  }

  /** Any thread: takes the oldest task, or null if empty or contended right now. */
  @Nullable GroupTask<?> steal() {
    while (true) {
      int b = base;
      int s = (int) TOP.getAcquire(this);
      if (s - b <= 0) {
        return null;
      }
      Object[] a = (Object[]) ARRAY.getAcquire(this);
      int i = b & (a.length - 1);
      Object x = SLOT.getAcquire(a, i);
      if (b != base) {
        continue; // moved on meanwhile
      }
      if (x == null) {
        return null; // being taken or moved right now
      }
      if (SLOT.compareAndSet(a, i, x, null)) {
        BASE.setVolatile(this, b + 1);
        return (GroupTask<?>) x;
      }
    }
  }

  /**
   * Any thread: whether the deque holds no task. Reads {@code base} before {@code top}, so "empty"
   * means it really was empty at some moment during the call (reading {@code top} first could see
   * an old top and a base already moved past a newer push: "empty" when it never was; Lincheck
   * found that). "Not empty" may still count a task a thief has taken but not yet passed {@code
   * base} over, so callers treat it as "maybe work": a steal may then come back empty.
   */
  boolean isEmpty() {
    int b = base;
    return (int) TOP.getAcquire(this) - b <= 0;
  }

  /** Any thread: the number of tasks, a snapshot (may count a task being stolen). */
  int size() {
    int b = base;
    return Math.max(0, (int) TOP.getAcquire(this) - b);
  }

  private Object[] grow(Object[] old, int s) {
    int size = old.length << 1;
    if (size > MAX_CAPACITY) {
      throw new IllegalStateException(
          "a runner's follow-up deque would exceed " + MAX_CAPACITY + " tasks");
    }
    Object[] a = new Object[size];
    ARRAY.setRelease(this, a);
    int oldMask = old.length - 1;
    int mask = size - 1;
    for (int b = base; b != s; b++) {
      // as a steal from the old array and a push to the new one
      int oldIndex = b & oldMask;
      Object x = SLOT.getAcquire(old, oldIndex);
      if (x != null && SLOT.compareAndSet(old, oldIndex, x, null)) {
        SLOT.setRelease(a, b & mask, x);
      }
    }
    VarHandle.releaseFence();
    return a;
  }
}
