package dev.sluice.pipeline;

import dev.sluice.Stage;
import dev.sluice.testing.ThreadKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.stream.IntStream;

/**
 * Helpers for the pipeline tests: source items, stage options for a thread kind, and a thread
 * factory that lets a test see a stage's threads so that it can wait until they are parked. Parked
 * threads are only observed, never used to order anything.
 */
final class FlowProbes {

  private FlowProbes() {}

  /** The integers 0 to {@code n - 1}, in order: a test's source items. */
  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** {@code stage} on threads of {@code kind}. */
  static Stage on(ThreadKind kind, Stage stage) {
    return kind == ThreadKind.PLATFORM ? stage.platformThreads() : stage.virtualThreads();
  }

  /** Whether {@code thread} is parked (waiting, with or without a time limit). */
  static boolean isWaiting(Thread thread) {
    Thread.State state = thread.getState();
    return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
  }

  /** A thread factory of one kind that remembers its threads. */
  static final class SeenThreads implements ThreadFactory {
    private final ThreadKind kind;
    private final String name;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    SeenThreads(ThreadKind kind, String name) {
      this.kind = kind;
      this.name = name;
    }

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = kind.newThread(name + "-" + threads.size(), task);
      threads.add(thread);
      return thread;
    }

    /** Every thread made so far. */
    List<Thread> threads() {
      return List.copyOf(threads);
    }

    /**
     * Whether every live thread made so far, except {@code busy}, is parked, and at least {@code
     * atLeast} of them are.
     */
    boolean allParkedExcept(List<Thread> busy, int atLeast) {
      int parked = 0;
      for (Thread t : threads) {
        if (busy.contains(t) || !t.isAlive()) {
          continue;
        }
        if (!isWaiting(t)) {
          return false;
        }
        parked++;
      }
      return parked >= atLeast;
    }
  }
}
