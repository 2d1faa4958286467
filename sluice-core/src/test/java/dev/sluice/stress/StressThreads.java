package dev.sluice.stress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The threads of one stress round: starts them as platform or virtual threads, collects what they
 * throw, and joins them all with a deadline. A thread still alive at the deadline fails the round
 * with a dump of every worker's stack (virtual threads included, which {@code jstack} and {@link
 * Thread#getAllStackTraces()} leave out).
 */
public final class StressThreads {

  /** The kind of thread a round runs on. */
  public enum Kind {
    PLATFORM,
    VIRTUAL;

    Thread.Builder builder(String name) {
      return this == PLATFORM
          ? Thread.ofPlatform().daemon().name(name)
          : Thread.ofVirtual().name(name);
    }
  }

  /** Thrown by {@link #joinAll} when a worker is still running at the deadline. */
  public static final class HangError extends AssertionError {
    private static final long serialVersionUID = 1L;

    HangError(String message) {
      super(message);
    }
  }

  /** A worker's body; it may throw anything, which then fails the round. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  private final Kind kind;
  private final List<Thread> threads = new ArrayList<>();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

  public StressThreads(Kind kind) {
    this.kind = kind;
  }

  /** Starts a worker named {@code name}. */
  public Thread start(String name, Body body) {
    Thread thread =
        kind.builder(name)
            .unstarted(
                () -> {
                  try {
                    body.run();
                  } catch (Throwable t) {
                    failures.add(new AssertionError("worker " + name + " failed: " + t, t));
                  }
                });
    threads.add(thread);
    thread.start();
    return thread;
  }

  /**
   * Joins every worker, all within {@code timeout} in total, then rethrows the first failure of a
   * worker (with the others attached as suppressed).
   *
   * @param context what the round was doing, for the failure message
   * @param onHang called before failing when a worker hangs, e.g. to cancel the channel so that the
   *     stuck workers end
   * @throws HangError if a worker is still alive at the deadline
   * @throws AssertionError if a worker failed
   */
  public void joinAll(Duration timeout, String context, Runnable onHang)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Thread> alive = new ArrayList<>();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 ? thread.isAlive() : !thread.join(Duration.ofNanos(left))) {
        alive.add(thread);
      }
    }
    if (!alive.isEmpty()) {
      String dump = dump(threads);
      // The clean-up may hang too (it meets the same bug): give it a few seconds, no more.
      Thread cleanUp = Thread.ofPlatform().daemon().name("clean-up").start(onHang);
      cleanUp.join(Duration.ofSeconds(5));
      for (Thread thread : threads) {
        thread.join(Duration.ofSeconds(1)); // let them end before the next round starts
      }
      throw new HangError(
          alive.size()
              + " of "
              + threads.size()
              + " workers still running after "
              + timeout.toMillis()
              + " ms ("
              + names(alive)
              + "): "
              + context
              + "\n"
              + dump);
    }
    rethrowFailures(context);
  }

  /** Throws the first failure of a worker, if any, with the rest as suppressed. */
  public void rethrowFailures(String context) {
    Throwable first = failures.poll();
    if (first == null) {
      return;
    }
    AssertionError error = new AssertionError(context + ": " + first.getMessage(), first);
    for (Throwable next; (next = failures.poll()) != null; ) {
      error.addSuppressed(next);
    }
    throw error;
  }

  private static String names(List<Thread> threads) {
    List<String> names = new ArrayList<>();
    for (Thread thread : threads) {
      names.add(thread.getName());
    }
    return String.join(", ", names);
  }

  /** The state and stack of each thread. */
  public static String dump(List<Thread> threads) {
    StringBuilder out = new StringBuilder("worker threads:\n");
    for (Thread thread : threads) {
      out.append('"')
          .append(thread.getName())
          .append("\" ")
          .append(thread.isVirtual() ? "virtual " : "platform ")
          .append(thread.getState())
          .append('\n');
      for (StackTraceElement frame : thread.getStackTrace()) {
        out.append("    at ").append(frame).append('\n');
      }
    }
    return out.toString();
  }

  /** How long a round may take at most before it counts as hung. */
  public static Duration roundTimeout(int stress) {
    return Duration.ofSeconds(20 + 2L * stress);
  }
}
