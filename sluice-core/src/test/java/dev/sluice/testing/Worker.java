package dev.sluice.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One thread started by {@link Workers}, with its outcome. Whatever the body returns or throws is
 * kept and handed to the test thread by {@link #join()} or {@link #failure()}; a failure nobody
 * asked for fails the test after it ends (see {@link ThreadLeakExtension}).
 *
 * @param <T> what the body returns
 */
public final class Worker<T> {
  /** How long {@link #join()}, {@link #failure()} and {@link #awaitBlocked()} wait at most. */
  public static final Duration PATIENCE = Duration.ofSeconds(5);

  /** Frames of test code (test classes and this package), which do not count as library code. */
  private static final Pattern TEST_CODE =
      Pattern.compile("dev\\.sluice\\.testing\\..*|.*Test(\\$.*)?");

  private final Thread thread;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile @Nullable T value;
  private volatile @Nullable Throwable failure;
  private volatile boolean failureReported;

  Worker(ThreadKind kind, String name, CheckedCallable<T> body) {
    this.thread = kind.newThread(name, () -> run(body));
  }

  private void run(CheckedCallable<T> body) {
    try {
      value = body.call();
    } catch (Throwable t) {
      failure = t;
    } finally {
      done.countDown();
    }
  }

  void start() {
    thread.start();
  }

  /** The worker's thread. */
  public Thread thread() {
    return thread;
  }

  /** Whether the body has returned or thrown. */
  public boolean isDone() {
    return done.getCount() == 0;
  }

  /** Interrupts the worker's thread. */
  public void interrupt() {
    thread.interrupt();
  }

  /**
   * Waits (boundedly) until the worker is parked inside library code: its state is {@code WAITING}
   * or {@code TIMED_WAITING} and its stack holds a frame of a {@code dev.sluice} class that is not
   * test code.
   *
   * @return this worker
   * @throws AssertionError if the worker finished instead, or did not block within {@link
   *     #PATIENCE}
   */
  public Worker<T> awaitBlocked() {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    for (int spins = 0; ; spins++) {
      if (isDone()) {
        throw new AssertionError(
            describe() + " was expected to block but finished with " + outcome(), failure);
      }
      if (isParkedInLibrary()) {
        return this;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            describe() + " did not block within " + PATIENCE + "; it is at\n" + stack());
      }
      if (spins < 64) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(50_000);
      }
    }
  }

  /**
   * Asserts that the worker is still parked inside library code (it has neither finished nor been
   * woken for good).
   *
   * @return this worker
   */
  public Worker<T> assertBlocked() {
    if (isDone()) {
      throw new AssertionError(
          describe() + " was expected to still be blocked but finished with " + outcome(), failure);
    }
    if (!isParkedInLibrary()) {
      // A spurious wake-up re-parks quickly; give it the usual patience before failing.
      awaitBlocked();
    }
    return this;
  }

  private boolean isParkedInLibrary() {
    Thread.State state = thread.getState();
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement frame : thread.getStackTrace()) {
      String cls = frame.getClassName();
      if (cls.startsWith("dev.sluice.") && !TEST_CODE.matcher(cls).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits for the worker to finish and returns what its body returned.
   *
   * @throws AssertionError if the body threw (the throwable is the cause), or the worker did not
   *     finish within {@link #PATIENCE}
   */
  public @Nullable T join() {
    awaitDone();
    Throwable t = failure;
    if (t != null) {
      failureReported = true;
      throw new AssertionError(describe() + " failed: " + t, t);
    }
    return value;
  }

  /**
   * Waits for the worker to finish and returns what its body threw.
   *
   * @throws AssertionError if the body returned normally, or the worker did not finish within
   *     {@link #PATIENCE}
   */
  public Throwable failure() {
    awaitDone();
    Throwable t = failure;
    if (t == null) {
      throw new AssertionError(
          describe() + " was expected to fail but returned " + Arrays.asList(value));
    }
    failureReported = true;
    return t;
  }

  private void awaitDone() {
    boolean finished;
    try {
      finished = done.await(PATIENCE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + describe(), e);
    }
    if (!finished) {
      throw new AssertionError(
          describe() + " did not finish within " + PATIENCE + "; it is at\n" + stack());
    }
  }

  /** A failure that no one has asked for through {@link #join()} or {@link #failure()}. */
  @Nullable Throwable unreportedFailure() {
    return failureReported ? null : failure;
  }

  String describe() {
    return "worker '"
        + thread.getName()
        + "' ("
        + (thread.isVirtual() ? "virtual" : "platform")
        + ")";
  }

  private String outcome() {
    Throwable t = failure;
    return t != null ? "exception " + t : "value " + Arrays.asList(value);
  }

  String stack() {
    return thread.getState()
        + Arrays.stream(thread.getStackTrace())
            .map(frame -> "\n\tat " + frame)
            .collect(Collectors.joining());
  }
}
