package dev.sluice.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts and tracks the worker threads of one test. Obtain one as a test method parameter; {@link
 * ThreadLeakExtension} resolves it and, after the test, checks that every worker has finished and
 * that every worker failure reached the test thread.
 */
public final class Workers {
  private final ConcurrentLinkedQueue<Worker<?>> started = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();

  Workers() {}

  /** Starts a worker that runs {@code body} and keeps what it returns or throws. */
  public <T> Worker<T> call(ThreadKind kind, CheckedCallable<T> body) {
    Worker<T> worker = new Worker<>(kind, "test-worker-" + count.incrementAndGet(), body);
    started.add(worker);
    worker.start();
    return worker;
  }

  /** Starts a worker that runs {@code body} and keeps what it throws. */
  public Worker<Void> run(ThreadKind kind, CheckedRunnable body) {
    return call(
        kind,
        () -> {
          body.run();
          return null;
        });
  }

  /** Waits until each of the workers is parked inside library code. */
  public static void awaitAllBlocked(Collection<? extends Worker<?>> workers) {
    for (Worker<?> worker : workers) {
      worker.awaitBlocked();
    }
  }

  /** Joins each of the workers and returns their results in order. */
  public static <T> List<T> joinAll(Collection<Worker<T>> workers) {
    List<T> results = new ArrayList<>(workers.size());
    for (Worker<T> worker : workers) {
      results.add(worker.join());
    }
    return results;
  }

  /** Every worker started so far. */
  List<Worker<?>> started() {
    return List.copyOf(started);
  }
}
