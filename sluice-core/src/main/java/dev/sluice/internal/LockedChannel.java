package dev.sluice.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The close state of a channel whose every operation runs under one {@link ReentrantLock} ({@link
 * LinkedChannel}, {@link RendezvousChannel}): the lock, the closed flag and the cause, the close
 * itself, and the timed wait both kinds use.
 *
 * <p>{@link #lock} guards {@link #closed} and the cause; {@link #closed} is also volatile, so that
 * the closed flags can be read without the lock. A close sets both under the lock and then lets the
 * kind wake its waiters ({@link #wakeAllForClose}) before the lock is released, so a waiter that
 * wakes sees the channel closed.
 *
 * @param <T> the type of items
 */
abstract class LockedChannel<T> extends AbstractChannel<T> {

  /** Guards every field of the channel, here and in the subclass. */
  protected final ReentrantLock lock = new ReentrantLock();

  /** Set once, under {@link #lock}; volatile for the lock-free closed checks. */
  protected volatile boolean closed;

  private @Nullable Throwable cause;

  /**
   * Wakes every waiter, for them to see {@link #closed}; called once, holding {@link #lock}, right
   * after the channel closed.
   */
  protected abstract void wakeAllForClose();

  @Override
  protected final boolean closeWith(@Nullable Throwable cause) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      this.cause = cause;
      closed = true;
      wakeAllForClose();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected final @Nullable Throwable closeCause() {
    lock.lock();
    try {
      return cause;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public final boolean isClosedForSend() {
    return closed;
  }

  /**
   * Waits on {@code condition} (of {@link #lock}, which the caller holds) until signalled, or until
   * {@code deadline} if {@code timed}; may return spuriously, like {@link Condition#await}.
   *
   * @return false if the deadline has passed (without waiting), true otherwise
   * @throws InterruptedException if interrupted while waiting
   */
  protected static boolean await(Condition condition, boolean timed, long deadline)
      throws InterruptedException {
    if (!timed) {
      condition.await();
      return true;
    }
    long nanos = deadline - System.nanoTime();
    if (nanos <= 0) {
      return false;
    }
    condition.awaitNanos(nanos);
    return true;
  }
}
