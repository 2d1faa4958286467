package dev.sluice.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A bounded channel on a lock-free ring ({@link dev.sluice.Channel#bounded}).
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>Ring.</b> Items live in {@link #buffer}; each slot has a sequence number in {@link
 * #sequences} that tells whose turn it is (the scheme of D. Vyukov's bounded MPMC queue). Positions
 * are 64-bit counters that never wrap; position {@code p} lives in slot {@code p % slots}, where
 * {@code slots = max(2, capacity)}. For position {@code p} its slot's sequence is:
 *
 * <ul>
 *   <li>{@code p}: free for the sender of position {@code p};
 *   <li>{@code p + 1}: filled, waiting for the receiver of {@code p};
 *   <li>{@code p + slots}: emptied, i.e. free for the sender of {@code p + slots}.
 * </ul>
 *
 * The scheme needs at least two slots: with one, "filled for {@code p}" ({@code p + 1}) and "free
 * for {@code p + 1}" would be the same number. So capacity 1 uses a ring of 2 and a sender also
 * checks {@code tail - head < capacity} before its CAS (safe: the CAS fails if the tail moved, and
 * the head only grows).
 *
 * <p>A sender claims position {@code p = tail} by CAS on the tail word when the slot's sequence is
 * {@code p}, writes the item (plain store) and publishes it with a release store of {@code p + 1}.
 * A receiver claims {@code h = head} by CAS on the head word when the sequence is {@code h + 1},
 * reads the item, clears the slot (plain accesses) and frees it with a release store of {@code h +
 * slots}. The release store / acquire load of a sequence is the happens-before edge from the
 * sender's writes to the receiver's reads (and from a receiver's clearing to the next sender's
 * fill).
 *
 * <p>Between its CAS and its publishing store a sender has claimed a position that is not yet
 * readable. A receiver that finds the head slot unpublished while {@code tail > head} therefore
 * waits (bounded backoff, {@link Spin}) for that sender instead of reporting empty, and a sender
 * that finds its slot not yet freed while {@code tail - head < capacity} waits for that receiver.
 * This keeps {@code trySend}, {@code tryReceive} and {@code size} linearizable: an item counts as
 * in the channel from its sender's CAS on.
 *
 * <p><b>Words.</b> The tail and head words live in one {@code long[]}, 128 bytes apart so that
 * senders and receivers do not false-share. Each holds its position shifted left by two; bit 1 is
 * the <em>locked</em> flag (see removal below) and, in the tail word only, bit 0 is the
 * <em>closed</em> flag. Setting closed (an atomic OR) makes every later tail CAS fail, so "no send
 * succeeds after close" is a property of the one word senders must CAS anyway; once closed, the
 * tail position changes only by a removal.
 *
 * <p><b>Close.</b> The first closer CASes {@link #closeState} from null (recording the cause), then
 * sets the closed bit; later closers only set the bit again (so that when their {@code close}
 * returns false the channel is visibly closed). The cause is written before the bit, so anyone who
 * sees the bit sees the cause. Closing then wakes every waiter. {@code cancel} takes {@link
 * #removalLock}, locks the head word, records the cause, sets the closed bit, collects every
 * remaining position (waiting for any sender that claimed one before the close to publish it) and
 * unlocks the head at the frozen tail in one store: closing and claiming are one step as far as any
 * other thread can tell. (Lincheck found both two-step versions: a second cancel could see the
 * channel closed and take the items first, or set its cause while the first took them.)
 *
 * <p><b>Waiting.</b> Blocking callers first retry briefly on platform threads (spinning pays off on
 * a multi-core machine, never on a virtual thread, and at most {@link #MAX_SPINNERS} spin at once
 * in the whole process), then enqueue on {@link #notEmpty} or {@link #notFull} and re-check before
 * parking; see {@link WaitQueue} for the Dekker pairing with the CAS on the tail (or head) that
 * makes the re-check sound. Wake-ups follow transitions and then cascade: a sender wakes a receiver
 * only when its item made the channel non-empty; a receiver that was itself woken, took an item and
 * sees more wakes the next receiver. Symmetrically for room: a receiver wakes a sender only when
 * the channel was full, and a woken sender that sees room left after its own item wakes the next
 * sender. Threads that never waited do not cascade, so a busy producer does not wake one parked
 * producer per item it sends. The result is about one wake-up per transition, however many threads
 * wait, and nothing at all (one volatile read) when nobody waits. A woken thread retries at once;
 * one that leaves without using its turn (timeout, interrupt, close) passes the wake-up on.
 *
 * <p>Why no wake-up is lost: take receivers (senders are symmetric). A receiver parks only after
 * enqueuing and then finding the channel empty. Consider the first item published after that
 * re-check. Its sender reads the head after its tail CAS: if the head has reached its position
 * (empty before), it signals. If not, an earlier item is still unreceived, which arrived after our
 * receiver's re-check too, so the earliest such item was published into an empty channel and its
 * sender signalled. The signalled receiver then either takes an item and, seeing more, signals the
 * next receiver (reading the tail after its head CAS); or finds the channel empty again (others
 * took the items, so the next item is again a transition, which signals); or leaves and passes the
 * wake-up on. A waiter whose node was signalled while its own re-check succeeded holds a wake-up
 * too, and must cascade exactly as a woken thread would (missed once: a cascade aimed at it was
 * swallowed and the other waiters slept with items or room available; see
 * BoundedChannelWakeupTest). The CASes and reads are all volatile, and a waiter's enqueue precedes
 * its re-check, so a signaller that reads no waiter was early enough for the re-check to see its
 * item.
 *
 * <p><b>Removal from the middle</b> ({@code BlockingQueue.remove(Object)}, {@code Iterator.remove})
 * is rare and may be slow, but must leave the channel exact: its room is free at once, order is
 * kept. A remover takes {@link #removalLock} (removers and {@code cancel} are serialised), sets the
 * locked bit in the tail word and then in the head word; senders and receivers that see a locked
 * word back off ({@link Spin}) instead of claiming. The remover waits until every claimed position
 * is published, shifts the items after the removed one back by one position (their sequences,
 * "filled", stay as they are), frees the last slot and unlocks the tail with its position lowered
 * by one, then the head. Senders and receivers that claimed a position before the lock touch only
 * their own slot, which the shift cannot reach: a receiver's claimed slot is not reused before it
 * frees it, and the shift stays within {@code [head, tail)}. Each live iterator is registered
 * (weakly) with the channel and each removal shifts its place to match, under the same lock (as
 * {@code ArrayBlockingQueue} does); readers that walk the ring ({@code peek}, {@code contains},
 * each iterator step) freeze it as a removal does, briefly.
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

  /** Distance between words in {@link #counters}: 16 longs = 128 bytes. */
  private static final int PAD = 16;

  private static final int TAIL = PAD;
  private static final int HEAD = 2 * PAD;
  private static final long CLOSED = 1L;
  private static final long LOCKED = 2L;
  private static final int SHIFT = 2;
  private static final long ONE = 1L << SHIFT; // one position in a word

  /** Retries on a platform thread before it parks. */
  private static final int SPIN_TRIES = Spin.MULTICORE ? 128 : 0;

  /**
   * Threads that may spin at once, over all channels of the process: fewer than the processors. A
   * per-channel budget let a pipeline of many channels spin on every core while the threads the
   * spinners waited for could not run.
   */
  private static final int MAX_SPINNERS =
      Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

  /** Platform threads spinning in any channel now; bounded by {@link #MAX_SPINNERS}. */
  private static final AtomicInteger SPINNERS = new AtomicInteger();

  private static final int OK = 0;
  private static final int FULL = 1;
  private static final int SHUT = 2;

  private record Closed(@Nullable Throwable cause) {}

  private final int capacity;

  /** Ring length: the capacity, but at least 2 (see the overview). */
  private final int slots;

  private final int mask;
  private final Object[] buffer;
  private final long[] sequences;
  private final long[] counters = new long[3 * PAD];
  private final WaitQueue notEmpty = new WaitQueue();
  private final WaitQueue notFull = new WaitQueue();
  private final ReentrantLock removalLock = new ReentrantLock();

  /** Live iterators, which each removal adjusts; guarded by removalLock. */
  private final ArrayList<WeakReference<Itr>> iterators = new ArrayList<>();

  @SuppressWarnings("unused") // accessed through CLOSE_STATE
  private volatile @Nullable Closed closeState;

  /**
   * Creates an open channel.
   *
   * @param capacity the number of items it holds, at least 1 (checked by the caller)
   */
  public ArrayChannel(int capacity) {
    this.capacity = capacity;
    this.slots = Math.max(2, capacity);
    this.mask = Integer.bitCount(slots) == 1 ? slots - 1 : -1;
    this.buffer = new Object[slots];
    this.sequences = new long[slots];
    for (int i = 0; i < slots; i++) {
      sequences[i] = i;
    }
  }

  private int slot(long position) {
    return mask >= 0 ? (int) position & mask : (int) (position % slots);
  }

  private long tailWord() {
    return (long) LONGS.getVolatile(counters, TAIL);
  }

  private long headWord() {
    return (long) LONGS.getVolatile(counters, HEAD);
  }

  private long head() {
    return headWord() >>> SHIFT;
  }

  private long tail() {
    return tailWord() >>> SHIFT;
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
      if ((word & LOCKED) != 0) {
        Spin.pause(attempt++); // a removal is shifting items
        continue;
      }
      long position = word >>> SHIFT;
      int slot = slot(position);
      long sequence = sequence(slot);
      if (sequence == position) {
        if (slots > capacity && position - head() >= capacity) {
          return FULL; // capacity 1 on a ring of 2: the ring alone would admit a second item
        }
        if (LONGS.compareAndSet(counters, TAIL, word, word + ONE)) {
          buffer[slot] = item; // published by the release store below
          LONGS.setRelease(sequences, slot, position + 1);
          signalAfterSend(position, woken);
          return OK;
        }
      } else if (sequence < position) {
        // The slot still holds the item of position - slots.
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
    if (notFull.hasWaiters() && tail() >= position + capacity) {
      notFull.signalOne();
    }
    if (woken && notEmpty.hasWaiters() && tail() > position + 1) {
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
        if (!signalled && notFull.cancel(node)) {
          // Signalled after all, while the re-check was under way: the wake-up is ours. Use it as
          // a woken sender would (pass it along if room is left), or pass it on if we leave
          // without a slot (timeout, interrupt, closed).
          if (result != OK || (notFull.hasWaiters() && tail() - head() < capacity)) {
            notFull.signalOne();
          }
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
      SPINNERS.decrementAndGet();
    }
    return result;
  }

  /**
   * Whether the calling thread may spin before parking: only platform threads, and only while fewer
   * than {@link #MAX_SPINNERS} others spin in the whole process, so that spinners never crowd out
   * the threads they wait for.
   */
  private boolean startSpinning() {
    if (SPIN_TRIES == 0 || Thread.currentThread().isVirtual()) {
      return false;
    }
    if (SPINNERS.incrementAndGet() > MAX_SPINNERS) {
      SPINNERS.decrementAndGet();
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
      long word = headWord();
      if ((word & LOCKED) != 0) {
        Spin.pause(attempt++); // a removal is shifting items
        continue;
      }
      long head = word >>> SHIFT;
      int slot = slot(head);
      long sequence = sequence(slot);
      if (sequence == head + 1) {
        if (LONGS.compareAndSet(counters, HEAD, word, word + ONE)) {
          Object item = buffer[slot]; // visible through the acquire load of the sequence
          buffer[slot] = null; // published to the next sender by the release store below
          LONGS.setRelease(sequences, slot, head + slots);
          signalAfterReceive(head, woken);
          return (T) item;
        }
      } else if (sequence < head + 1) {
        long tailWord = tailWord();
        if ((tailWord & LOCKED) == 0 && tailWord >>> SHIFT == head) {
          if ((tailWord & CLOSED) != 0) {
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
        if (!signalled && notEmpty.cancel(node)) {
          // Signalled after all, while the re-check was under way: the wake-up is ours. Use it as
          // a woken receiver would (pass it along if items are left), or pass it on if we leave
          // without an item (timeout, interrupt, closed).
          if (item == null || (notEmpty.hasWaiters() && tail() > head())) {
            notEmpty.signalOne();
          }
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
      SPINNERS.decrementAndGet();
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
    Objects.requireNonNull(cause, "cause");
    List<T> items = new ArrayList<>();
    removalLock.lock(); // cancels and removals are serialised
    try {
      // Lock the head first, so that closing and claiming what is left are one step for everyone
      // else: nobody can receive between the two, and the tail is frozen once closed. The cause is
      // recorded inside too, so that of two cancels the one that takes the items sets the cause.
      lockWord(HEAD);
      CLOSE_STATE.compareAndSet(this, null, new Closed(cause));
      LONGS.getAndBitwiseOr(counters, TAIL, CLOSED);
      long end = tail();
      long head = head();
      for (long position = head; position < end; position++) {
        int slot = slot(position);
        int attempt = 0;
        while (sequence(slot) != position + 1) {
          Spin.pause(attempt++); // claimed before the close; its sender is about to publish
        }
        items.add((T) buffer[slot]);
        buffer[slot] = null;
        LONGS.setRelease(sequences, slot, position + slots);
      }
      LONGS.setVolatile(counters, HEAD, end << SHIFT); // claimed and unlocked in one store
    } finally {
      removalLock.unlock();
    }
    notEmpty.signalAll();
    notFull.signalAll();
    return items;
  }

  @Override
  public boolean isClosedForSend() {
    return (tailWord() & CLOSED) != 0;
  }

  @Override
  public boolean isClosedForReceive() {
    long tail = tailWord();
    if ((tail & CLOSED) == 0) {
      return false;
    }
    int attempt = 0;
    for (; ; ) {
      long head = headWord();
      tail = tailWord();
      if (((head | tail) & LOCKED) == 0) {
        return (tail >>> SHIFT) <= (head >>> SHIFT);
      }
      Spin.pause(attempt++); // a cancel or removal is in progress: wait for its outcome
    }
  }

  // ------------------------------------------------------------- inspection

  /**
   * The number of claimed positions, tail - head, read consistently (double collect), never in the
   * middle of a cancel or removal.
   */
  private long occupied() {
    int attempt = 0;
    for (; ; ) {
      long head = headWord();
      long tail = tailWord();
      if (((head | tail) & LOCKED) == 0 && head == headWord()) {
        return (tail >>> SHIFT) - (head >>> SHIFT);
      }
      if (((head | tail) & LOCKED) != 0) {
        Spin.pause(attempt++);
      }
    }
  }

  @Override
  public int size() {
    return (int) Math.max(0, Math.min(occupied(), capacity));
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
   * Finds the first item at a position at least {@code from} (and at least the head) and sets the
   * cursor to it. The walk is exclusive, as a removal is: it holds {@link #removalLock} and locks
   * both words, so the ring is frozen while it looks (senders and receivers back off for that long;
   * walks are rare view operations: iteration, {@code peek}, {@code contains}, removal from the
   * middle).
   *
   * @return whether an item was found
   */
  private boolean seek(Cursor cursor, long from) {
    removalLock.lock();
    try {
      lockWord(TAIL);
      lockWord(HEAD);
      try {
        long tail = tail();
        long position = Math.max(from, head());
        if (position >= tail) {
          return false;
        }
        int slot = slot(position);
        int attempt = 0;
        while (sequence(slot) != position + 1) {
          Spin.pause(attempt++); // claimed before the lock; its sender is about to publish
        }
        cursor.position = position;
        cursor.item = buffer[slot];
        return true;
      } finally {
        LONGS.getAndBitwiseAnd(counters, TAIL, ~LOCKED);
        LONGS.getAndBitwiseAnd(counters, HEAD, ~LOCKED);
      }
    } finally {
      removalLock.unlock();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  protected @Nullable T peek() {
    Cursor cursor = new Cursor();
    return seek(cursor, 0) ? (T) cursor.item : null;
  }

  @Override
  protected boolean removeItem(Object o) {
    removalLock.lock();
    try {
      Cursor cursor = new Cursor();
      long from = 0;
      while (seek(cursor, from)) { // no removal can run meanwhile: we hold the lock
        if (o.equals(cursor.item) && removeAtLocked(cursor.position, cursor.item)) {
          return true;
        }
        from = cursor.position + 1;
      }
      return false;
    } finally {
      removalLock.unlock();
    }
  }

  /**
   * Removes the item at {@code position} if it is still {@code item} (the same object) there, by
   * shifting the items after it back by one. The caller holds {@link #removalLock}.
   */
  private boolean removeAtLocked(long position, @Nullable Object item) {
    lockWord(TAIL);
    lockWord(HEAD);
    long tail = tail();
    boolean removed = false;
    try {
      long head = head();
      if (position < head || position >= tail) {
        return false; // received meanwhile
      }
      for (long p = head; p < tail; p++) {
        int slot = slot(p);
        int attempt = 0;
        while (sequence(slot) != p + 1) {
          Spin.pause(attempt++); // claimed before the lock; its sender is about to publish
        }
      }
      int slot = slot(position);
      if (buffer[slot] != item) {
        return false;
      }
      for (long p = position; p < tail - 1; p++) {
        buffer[slot(p)] = buffer[slot(p + 1)]; // the sequences ("filled") stay
      }
      int last = slot(tail - 1);
      buffer[last] = null;
      LONGS.setRelease(sequences, last, tail - 1); // free again for the sender of tail - 1
      for (int i = iterators.size() - 1; i >= 0; i--) {
        Itr it = iterators.get(i).get();
        if (it == null || it.isDetached()) {
          iterators.remove(i);
        } else {
          it.removedAt(position);
        }
      }
      removed = true;
      return true;
    } finally {
      unlockTail(removed ? tail - 1 : tail);
      LONGS.getAndBitwiseAnd(counters, HEAD, ~LOCKED);
      if (removed) {
        notFull.signalOne(); // room appeared in the middle
      }
    }
  }

  private void lockWord(int index) {
    long word;
    do {
      word = (long) LONGS.getVolatile(counters, index);
    } while (!LONGS.compareAndSet(counters, index, word, word | LOCKED));
  }

  private void unlockTail(long position) {
    long word;
    do {
      word = tailWord(); // only the closed bit can change while locked
    } while (!LONGS.compareAndSet(counters, TAIL, word, (position << SHIFT) | (word & CLOSED)));
  }

  @Override
  protected Iterator<T> iterator() {
    return new Itr();
  }

  /**
   * Weakly consistent: yields items in order from the head at creation; an item present at creation
   * and neither received nor removed meanwhile is yielded exactly once; an item found by {@code
   * hasNext} is returned by {@code next} even if it has been received or removed since. Each live
   * iterator is registered (weakly) with the channel, and every removal from the middle shifts its
   * place to match, under {@link #removalLock}, as {@code ArrayBlockingQueue} does.
   */
  private final class Itr implements Iterator<T> {
    private final Cursor cursor = new Cursor();

    // Guarded by removalLock (removals adjust them); read and written by this iterator's user.
    private boolean hasNext;

    /** The position of the item next() will return, or -1 if that item was removed. */
    private long nextPosition = -1;

    private @Nullable Object nextItem;

    /** Where the search after next() starts. */
    private long resumeFrom;

    /** The position of the item last returned, or -1 if none or it is gone. */
    private long lastPosition = -1;

    private @Nullable Object lastItem;

    Itr() {
      removalLock.lock();
      try {
        iterators.add(new WeakReference<>(this));
        advance(0);
      } finally {
        removalLock.unlock();
      }
    }

    /** Finds the next item from {@code from}; the caller holds removalLock. */
    private void advance(long from) {
      hasNext = seek(cursor, from);
      if (hasNext) {
        nextPosition = cursor.position;
        nextItem = cursor.item;
        resumeFrom = nextPosition + 1;
      } else {
        nextPosition = -1;
        nextItem = null;
      }
    }

    /** A removal at {@code position} shifted the items after it back by one. */
    void removedAt(long position) {
      if (nextPosition >= 0) {
        if (position < nextPosition) {
          nextPosition--;
        } else if (position == nextPosition) {
          nextPosition = -1; // still returned by next(), but gone from the channel
        }
      }
      if (position < resumeFrom) {
        resumeFrom--;
      }
      if (lastPosition >= 0) {
        if (position < lastPosition) {
          lastPosition--;
        } else if (position == lastPosition) {
          lastPosition = -1;
        }
      }
    }

    /** Finished and with nothing left to remove: removals need not track it any more. */
    boolean isDetached() {
      return !hasNext && lastItem == null;
    }

    @Override
    public boolean hasNext() {
      return hasNext;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
      removalLock.lock();
      try {
        if (!hasNext) {
          throw new NoSuchElementException();
        }
        lastPosition = nextPosition;
        lastItem = nextItem;
        advance(resumeFrom);
        return (T) lastItem;
      } finally {
        removalLock.unlock();
      }
    }

    @Override
    public void remove() {
      removalLock.lock();
      try {
        Object item = lastItem;
        if (item == null) {
          throw new IllegalStateException("next() has not been called, or remove() already was");
        }
        lastItem = null;
        if (lastPosition >= 0) {
          removeAtLocked(lastPosition, item); // adjusts this iterator too
        }
      } finally {
        removalLock.unlock();
      }
    }
  }
}
