package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A bounded channel on a lock-free ring of {@code capacity} slots ({@link
 * dev.sluice.Channel#bounded}).
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Ring.</b> Items live in {@link #buffer}; each slot has a sequence number in {@link
 * #sequences} that tells whose turn it is (the scheme of D. Vyukov's bounded MPMC queue). Positions
 * are 64-bit counters that never wrap; position {@code p} lives in slot {@code p % capacity}. For
 * position {@code p} its slot's sequence is:
 *
 * <ul>
 *   <li>{@code p}: free for the sender of position {@code p};
 *   <li>{@code p + 1}: filled, waiting for the receiver of {@code p};
 *   <li>{@code p + capacity}: emptied, i.e. free for the sender of {@code p + capacity}.
 * </ul>
 *
 * A sender claims position {@code p = tail} by CAS on the tail when the slot's sequence is {@code
 * p}, writes the item (plain store) and publishes it with a release store of {@code p + 1}. A
 * receiver claims {@code h = head} by CAS on the head when the sequence is {@code h + 1}, takes the
 * item ({@code getAndSet(null)}, see removal below) and frees the slot with a release store of
 * {@code h + capacity}. The release store / acquire load of a sequence is the happens-before edge
 * from the sender's writes to the receiver's reads (and from a receiver's emptying to the next
 * sender's fill).
 *
 * <p>Between its CAS and its publishing store a sender has claimed a position that is not yet
 * readable. A receiver that finds the head slot unpublished while {@code tail > head} therefore
 * waits (bounded backoff, {@link Spin}) for that sender instead of reporting empty, and a sender
 * that finds its slot not yet freed while {@code tail - head < capacity} waits for that receiver.
 * This keeps {@code trySend}, {@code tryReceive} and {@code size} linearizable: an item counts as
 * in the channel from its sender's CAS on.
 *
 * <p><b>Counters.</b> {@code tail}, {@code head} and {@code removed} live in one {@code long[]},
 * 128 bytes apart so that senders and receivers do not false-share. The tail word holds the tail
 * position shifted left by one and, in bit 0, the <em>closed</em> flag: setting the flag (an atomic
 * OR) makes every later tail CAS fail, so "no send succeeds after close" is a property of the one
 * word senders must CAS anyway. Once closed, the tail position is frozen.
 *
 * <p><b>Close.</b> The first closer CASes {@link #closeState} from null (recording the cause), then
 * sets the closed bit; later closers only set the bit again (so that when their {@code close}
 * returns false the channel is visibly closed). The cause is written before the bit, so anyone who
 * sees the bit sees the cause. Closing then wakes every waiter. {@code cancel} closes and claims
 * every remaining position at once with one CAS of the head from {@code h} to the frozen tail, then
 * collects those slots (waiting for any sender that claimed one before the close to publish it);
 * the single CAS makes cancel atomic with respect to concurrent receivers.
 *
 * <p><b>Waiting.</b> Blocking callers first retry briefly on platform threads (spinning pays off on
 * a multi-core machine, never on a virtual thread), then enqueue on {@link #notEmpty} or {@link
 * #notFull} and re-check before parking; see {@link WaitQueue} for the Dekker pairing with the CAS
 * on the tail (or head) that makes the re-check sound. Wake-ups follow transitions and then
 * cascade: a sender wakes a receiver only when its item made the channel non-empty; a receiver that
 * was itself woken, took an item and sees more wakes the next receiver. Symmetrically for room: a
 * receiver wakes a sender only when the channel was full, and a woken sender that sees room left
 * after its own item wakes the next sender. Threads that never waited do not cascade, so a busy
 * producer does not wake one parked producer per item it sends. The result is about one wake-up per
 * transition, however many threads wait, and nothing at all (one volatile read) when nobody waits.
 * A woken thread retries at once; one that leaves without using its turn (timeout, interrupt,
 * close) passes the wake-up on.
 *
 * <p>Why no wake-up is lost: take receivers (senders are symmetric). A receiver parks only after
 * enqueuing and then finding the channel empty. Consider the first item published after that
 * re-check. Its sender reads the head after its tail CAS: if the head has reached its position
 * (empty before), it signals; if not, an earlier item is still unreceived, which means it arrived
 * after our receiver's re-check too, so the earlier of the two was published into an empty channel
 * and its sender signalled. The signalled receiver then either takes an item and, seeing more,
 * signals the next receiver (reading the tail after its head CAS); or finds the channel empty again
 * (others took the items, so the next item is again a transition, which signals); or leaves and
 * passes the wake-up on. The CASes and reads are all volatile, and a waiter's enqueue precedes its
 * re-check, so a signaller that reads no waiter was early enough for the re-check to see its item.
 *
 * <p><b>Removal from the middle</b> ({@code BlockingQueue.remove(Object)}, {@code
 * Iterator.remove}): the remover CASes the slot's item to {@link #TOMBSTONE}; receivers take items
 * with {@code getAndSet} so exactly one of a receiver and a remover wins each item. A receiver that
 * draws a tombstone frees the slot and moves on. {@code removed} counts live tombstones, so {@code
 * size()} is exact when no removal is in progress. A tombstone keeps its slot until receivers reach
 * it (tombstones at the head are reclaimed at once), so after removing from the middle, {@code
 * remainingCapacity()} can be less than {@code capacity - size()} for a while.
 */
public final class ArrayChannel<T> extends AbstractChannel<T> {

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle OBJECTS = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle CLOSE_STATE;

  static {
    try {
      CLOSE_STATE =
          MethodHandles.lookup().findVarHandle(ArrayChannel.class, "closeState", Closed.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Distance between counters in {@link #counters}: 16 longs = 128 bytes. */
  private static final int PAD = 16;

  private static final int TAIL = PAD;
  private static final int HEAD = 2 * PAD;
  private static final int REMOVED = 3 * PAD;
  private static final long CLOSED = 1L;
  private static final long ONE = 2L; // one position in the tail word

  /** The item of a slot whose item was removed from the middle of the ring. */
  private static final Object TOMBSTONE = new Object();

  /** Retries on a platform thread before it parks. */
  private static final int SPIN_TRIES = Spin.MULTICORE ? 128 : 0;

  /** Threads that may spin on one channel at once: fewer than the processors. */
  private static final int MAX_SPINNERS =
      Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

  private static final int OK = 0;
  private static final int FULL = 1;
  private static final int SHUT = 2;

  private record Closed(@Nullable Throwable cause) {}

  private final int capacity;
  private final int mask;
  private final Object[] buffer;
  private final long[] sequences;
  private final long[] counters = new long[4 * PAD];
  private final WaitQueue notEmpty = new WaitQueue();
  private final WaitQueue notFull = new WaitQueue();
  private final AtomicInteger spinners = new AtomicInteger();

  @SuppressWarnings("unused") // accessed through CLOSE_STATE
  private volatile @Nullable Closed closeState;

  /**
   * Creates an open channel.
   *
   * @param capacity the number of slots, at least 1 (checked by the caller)
   */
  public ArrayChannel(int capacity) {
    this.capacity = capacity;
    this.mask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
    this.buffer = new Object[capacity];
    this.sequences = new long[capacity];
    for (int i = 0; i < capacity; i++) {
      sequences[i] = i;
    }
  }

  private int slot(long position) {
    return mask >= 0 ? (int) position & mask : (int) (position % capacity);
  }

  private long tailWord() {
    return (long) LONGS.getVolatile(counters, TAIL);
  }

  private long head() {
    return (long) LONGS.getVolatile(counters, HEAD);
  }

  private long sequence(int slot) {
    return (long) LONGS.getAcquire(sequences, slot);
  }

  // ---------------------------------------------------------------- sending

  /**
   * Sends if there is room.
   *
   * @param woken whether the caller was woken to do this (then it passes wake-ups on)
   */
  private int tryOffer(Object item, boolean woken) {
    int attempt = 0;
    for (; ; ) {
      long word = tailWord();
      if ((word & CLOSED) != 0) {
        return SHUT;
      }
      long position = word >>> 1;
      int slot = slot(position);
      long sequence = sequence(slot);
      if (sequence == position) {
        if (LONGS.compareAndSet(counters, TAIL, word, word + ONE)) {
          buffer[slot] = item; // published by the release store below
          LONGS.setRelease(sequences, slot, position + 1);
          signalAfterSend(position, woken);
          return OK;
        }
      } else if (sequence < position) {
        // The slot still holds the item of position - capacity.
        if (position - head() >= capacity) {
          return FULL;
        }
        Spin.pause(attempt++); // its receiver has claimed it and is about to free it
      }
      // sequence > position: another sender took this position; reload the tail
    }
  }

  /**
   * Wakes whom a send at {@code position} may concern. Receivers: only if this item made the
   * channel non-empty (the head has reached it); otherwise the receiver of an earlier item wakes
   * the next one (see {@link #signalAfterReceive}). Senders: only if this sender was itself woken
   * and room is left after its item, pass the wake-up along (the room it was woken for may be
   * enough for several).
   *
   * <p>Every read here follows this thread's CAS on the tail, and a waiter re-checks after
   * enqueuing; see the overview for why that pairing cannot lose a wake-up.
   */
  private void signalAfterSend(long position, boolean woken) {
    if (notEmpty.hasWaiters() && head() >= position) {
      notEmpty.signalOne();
    }
    if (woken && notFull.hasWaiters() && position + 1 - head() < capacity) {
      notFull.signalOne();
    }
  }

  /**
   * Wakes whom a receive of {@code position} may concern: a sender only if the channel was full
   * (the tail had reached the position this receive freed); a receiver only if this receiver was
   * itself woken and items remain (cascade).
   */
  private void signalAfterReceive(long position, boolean woken) {
    if (notFull.hasWaiters() && (tailWord() >>> 1) >= position + capacity) {
      notFull.signalOne();
    }
    if (woken && notEmpty.hasWaiters() && (tailWord() >>> 1) > position + 1) {
      notEmpty.signalOne();
    }
  }

  @Override
  protected boolean offer(T item) {
    int result = tryOffer(item, false);
    if (result == SHUT) {
      throw closedForSend();
    }
    return result == OK;
  }

  @Override
  protected boolean put(T item, boolean timed, long deadline) throws InterruptedException {
    int result = tryOffer(item, false);
    if (result == FULL) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      result = spinOffer(item);
    }
    boolean woken = false;
    while (result == FULL) {
      WaitQueue.Node node = notFull.enqueue();
      boolean signalled = false;
      try {
        result = tryOffer(item, woken);
        if (result == FULL) {
          signalled = WaitQueue.park(node, timed, deadline, this);
          if (!signalled) {
            return false;
          }
          woken = true;
          result = tryOffer(item, true); // retry at once; enqueue again only if that fails
        }
      } finally {
        // Leaving without the slot we were woken for (timeout, interrupt, closed)? Pass it on.
        if (!signalled && notFull.cancel(node) && result != OK) {
          notFull.signalOne();
        }
      }
    }
    if (result == SHUT) {
      throw closedForSend();
    }
    return true;
  }

  private int spinOffer(Object item) {
    if (!startSpinning()) {
      return FULL;
    }
    int result = FULL;
    try {
      for (int i = 0; i < SPIN_TRIES && result == FULL; i++) {
        Thread.onSpinWait();
        result = tryOffer(item, false);
      }
    } finally {
      spinners.decrementAndGet();
    }
    return result;
  }

  /**
   * Whether the calling thread may spin before parking: only platform threads, and only while fewer
   * than {@link #MAX_SPINNERS} others spin on this channel, so that spinners never crowd out the
   * threads they wait for.
   */
  private boolean startSpinning() {
    if (SPIN_TRIES == 0 || Thread.currentThread().isVirtual()) {
      return false;
    }
    if (spinners.incrementAndGet() > MAX_SPINNERS) {
      spinners.decrementAndGet();
      return false;
    }
    return true;
  }

  // -------------------------------------------------------------- receiving

  /** An item, null when empty and open; throws when closed and drained. */
  @SuppressWarnings("unchecked")
  private @Nullable T tryPoll(boolean woken) {
    int attempt = 0;
    for (; ; ) {
      long head = head();
      int slot = slot(head);
      long sequence = sequence(slot);
      if (sequence == head + 1) {
        if (LONGS.compareAndSet(counters, HEAD, head, head + 1)) {
          Object item = OBJECTS.getAndSet(buffer, slot, null);
          LONGS.setRelease(sequences, slot, head + capacity);
          signalAfterReceive(head, woken);
          if (item != TOMBSTONE) {
            return (T) item;
          }
          LONGS.getAndAdd(counters, REMOVED, -1L);
        }
      } else if (sequence < head + 1) {
        long word = tailWord();
        if (word >>> 1 == head) {
          if ((word & CLOSED) != 0) {
            throw closedForReceive();
          }
          return null;
        }
        Spin.pause(attempt++); // a sender has claimed this position and is about to fill it
      }
      // sequence > head + 1: another receiver took this position; reload the head
    }
  }

  @Override
  protected @Nullable T poll() {
    return tryPoll(false);
  }

  @Override
  protected @Nullable T take(boolean timed, long deadline) throws InterruptedException {
    T item = tryPoll(false);
    if (item == null) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      item = spinPoll();
    }
    boolean woken = false;
    while (item == null) {
      WaitQueue.Node node = notEmpty.enqueue();
      boolean signalled = false;
      try {
        item = tryPoll(woken);
        if (item == null) {
          signalled = WaitQueue.park(node, timed, deadline, this);
          if (!signalled) {
            return null;
          }
          woken = true;
          item = tryPoll(true); // retry at once; enqueue again only if that fails
        }
      } finally {
        // Leaving without the item we were woken for (timeout, interrupt, closed)? Pass it on.
        if (!signalled && notEmpty.cancel(node) && item == null) {
          notEmpty.signalOne();
        }
      }
    }
    return item;
  }

  private @Nullable T spinPoll() {
    if (!startSpinning()) {
      return null;
    }
    T item = null;
    try {
      for (int i = 0; i < SPIN_TRIES && item == null; i++) {
        Thread.onSpinWait();
        item = tryPoll(false);
      }
    } finally {
      spinners.decrementAndGet();
    }
    return item;
  }

  // ---------------------------------------------------------------- closing

  @Override
  protected boolean closeWith(@Nullable Throwable cause) {
    boolean closedNow = CLOSE_STATE.compareAndSet(this, null, new Closed(cause));
    LONGS.getAndBitwiseOr(counters, TAIL, CLOSED);
    notEmpty.signalAll();
    notFull.signalAll();
    return closedNow;
  }

  @Override
  protected @Nullable Throwable closeCause() {
    Closed state = closeState;
    return state == null ? null : state.cause();
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<T> cancel(Throwable cause) {
    closeWith(Objects.requireNonNull(cause, "cause"));
    long end = tailWord() >>> 1; // frozen now
    List<T> items = new ArrayList<>();
    for (; ; ) {
      long head = head();
      if (head >= end) {
        return items;
      }
      if (LONGS.compareAndSet(counters, HEAD, head, end)) {
        for (long position = head; position < end; position++) {
          int slot = slot(position);
          int attempt = 0;
          while (sequence(slot) != position + 1) {
            Spin.pause(attempt++); // claimed before the close; its sender is about to publish
          }
          Object item = OBJECTS.getAndSet(buffer, slot, null);
          LONGS.setRelease(sequences, slot, position + capacity);
          if (item == TOMBSTONE) {
            LONGS.getAndAdd(counters, REMOVED, -1L);
          } else {
            items.add((T) item);
          }
        }
        return items;
      }
    }
  }

  @Override
  public boolean isClosedForSend() {
    return (tailWord() & CLOSED) != 0;
  }

  @Override
  public boolean isClosedForReceive() {
    long word = tailWord();
    return (word & CLOSED) != 0
        && (word >>> 1) - head() - (long) LONGS.getVolatile(counters, REMOVED) <= 0;
  }

  // ------------------------------------------------------------- inspection

  /** The number of claimed positions, tail - head, read consistently (double collect). */
  private long occupied() {
    for (; ; ) {
      long head = head();
      long tail = tailWord() >>> 1;
      if (head == head()) {
        return tail - head;
      }
    }
  }

  @Override
  public int size() {
    long size = occupied() - (long) LONGS.getVolatile(counters, REMOVED);
    return (int) Math.max(0, Math.min(size, capacity));
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  protected int remainingCapacity() {
    return (int) Math.max(0, capacity - occupied());
  }

  /** A live item found by {@link #seek}: its position and the item itself. */
  private static final class Cursor {
    long position;
    @Nullable Object item;
  }

  /**
   * Finds the first live item at a position at least {@code from} (and at least the head).
   *
   * @return true with {@code cursor} set, or false if there is none
   */
  private boolean seek(Cursor cursor, long from) {
    long position = Math.max(from, head());
    long tail = tailWord() >>> 1;
    int attempt = 0;
    while (position < tail) {
      int slot = slot(position);
      long sequence = sequence(slot);
      if (sequence == position + 1) {
        Object item = OBJECTS.getVolatile(buffer, slot);
        if (item != null && item != TOMBSTONE && sequence(slot) == position + 1) {
          cursor.position = position;
          cursor.item = item;
          return true;
        }
        position++; // removed, or received just now
      } else if (sequence < position + 1) {
        Spin.pause(attempt++); // claimed by a sender that is about to publish
      } else {
        position = Math.max(position + 1, head()); // received already
      }
    }
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected @Nullable T peek() {
    Cursor cursor = new Cursor();
    return seek(cursor, 0) ? (T) cursor.item : null;
  }

  @Override
  protected boolean removeItem(Object o) {
    Cursor cursor = new Cursor();
    long from = 0;
    while (seek(cursor, from)) {
      if (o.equals(cursor.item) && removeAt(cursor.position, cursor.item)) {
        return true;
      }
      from = cursor.position + 1;
    }
    return false;
  }

  /** Replaces the item at {@code position} by a tombstone if it is still {@code item} there. */
  private boolean removeAt(long position, @Nullable Object item) {
    int slot = slot(position);
    if (sequence(slot) != position + 1 || !OBJECTS.compareAndSet(buffer, slot, item, TOMBSTONE)) {
      return false;
    }
    LONGS.getAndAdd(counters, REMOVED, 1L);
    reclaimTombstonesAtHead();
    return true;
  }

  /** Frees the slots of removed items at the head, so that their room is usable at once. */
  private void reclaimTombstonesAtHead() {
    for (; ; ) {
      long head = head();
      int slot = slot(head);
      if (sequence(slot) != head + 1 || OBJECTS.getVolatile(buffer, slot) != TOMBSTONE) {
        return;
      }
      if (LONGS.compareAndSet(counters, HEAD, head, head + 1)) {
        OBJECTS.setVolatile(buffer, slot, null);
        LONGS.setRelease(sequences, slot, head + capacity);
        LONGS.getAndAdd(counters, REMOVED, -1L);
        signalAfterReceive(head, false);
      }
    }
  }

  @Override
  protected Iterator<T> iterator() {
    return new Itr();
  }

  /**
   * Weakly consistent: yields items in position order from the head at creation, never the same
   * position twice; an item found by {@code hasNext} is returned by {@code next} even if it has
   * been received since.
   */
  private final class Itr implements Iterator<T> {
    private final Cursor next = new Cursor();
    private boolean hasNext;
    private long lastPosition;
    private @Nullable Object lastItem;

    Itr() {
      hasNext = seek(next, 0);
    }

    @Override
    public boolean hasNext() {
      return hasNext;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      if (!hasNext) {
        throw new NoSuchElementException();
      }
      lastPosition = next.position;
      lastItem = next.item;
      hasNext = seek(next, lastPosition + 1);
      return (T) lastItem;
    }

    @Override
    public void remove() {
      if (lastItem == null) {
        throw new IllegalStateException("next() has not been called, or remove() already was");
      }
      removeAt(lastPosition, lastItem);
      lastItem = null;
    }
  }
}
