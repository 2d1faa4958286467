package dev.sluice.tg;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Waiting helpers for tests: bounded, never used to order threads, only to observe them. */
public final class Waiting {
  private Waiting() {}

  /** A piece of test code that may throw. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /**
   * Waits until {@code thread} is blocked (WAITING or TIMED_WAITING), failing after 10 s. This
   * observes a thread that has no other way to say it is blocked; it does not order anything.
   */
  public static void untilBlocked(Thread thread) {
    until(
        () -> {
          Thread.State s = thread.getState();
          return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        },
        "thread " + thread + " to block");
  }

  /**
   * Waits until {@code condition} holds, failing after 10 s. Polls by parking briefly, not by
   * yielding: a virtual thread that only yields can keep its carrier busy and starve the very
   * thread it waits for (seen with four waiting virtual producers on two carriers).
   */
  public static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(50_000L);
    }
  }

  /**
   * Runs {@code body} on another thread and fails with a thread dump if it does not finish within
   * {@code limit}: the {@code @Timeout} of tests that JUnit Jupiter's does not cover (jqwik).
   */
  public static void within(Duration limit, Body body) throws Exception {
    within(limit, body, runner -> "\n" + threadDump());
  }

  /**
   * As {@link #within(Duration, Body)}, with the failure message completed by {@code diagnose}
   * (given the thread that runs {@code body}, before it is interrupted).
   */
  public static void within(Duration limit, Body body, Function<Thread, String> diagnose)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread runner =
        Thread.ofPlatform()
            .name("within-" + limit)
            .start(
                () -> {
                  try {
                    body.run();
                    done.complete(null);
                  } catch (Throwable t) {
                    done.completeExceptionally(t);
                  }
                });
    try {
      done.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      String diagnosis = diagnose.apply(runner);
      runner.interrupt();
      throw new AssertionError("did not finish within " + limit + diagnosis, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** A dump of every platform thread's stack. */
  public static String threadDump() {
    StringBuilder sb = new StringBuilder();
    for (var e : Thread.getAllStackTraces().entrySet()) {
      sb.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState());
      sb.append('\n');
      for (StackTraceElement frame : e.getValue()) {
        sb.append("    at ").append(frame).append('\n');
      }
    }
    return sb.toString();
  }
}
