package dev.sluice.bench;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Many blocking tasks: {@code tasks} tasks that each sleep {@code sleepMillis}, at most {@code
 * inFlight} at a time. The ideal is {@code tasks / inFlight * sleepMillis} (100 ms with the
 * defaults: 10 waves of 10 ms); the score is the wall time of one run, in milliseconds.
 *
 * <p>Contenders (each creates its group or executor inside the run and closes it):
 *
 * <ul>
 *   <li>{@code taskGroupSubmit}: {@link TaskGroup} on virtual threads with {@code maxConcurrency =
 *       inFlight}; the outside thread submits every task, then {@code join()};
 *   <li>{@code taskGroupMapConcurrent}: {@link TaskGroup} on virtual threads, {@code mapConcurrent}
 *       over a lazy iterator of the inputs with {@code maxInFlight = inFlight}, consuming the
 *       completions;
 *   <li>{@code virtualPerTaskSemaphore} (reference): {@link
 *       Executors#newVirtualThreadPerTaskExecutor()} with a {@link Semaphore} of {@code inFlight}
 *       permits taken before each submit and given back when the task ends.
 * </ul>
 *
 * <p>Question: does the group's bookkeeping cost anything visible when tasks block? Target: at most
 * 1.3 times the ideal.
 *
 * <p>Run (from the repository root, after {@code mvn -pl sluice-bench -am package -DskipTests}):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar sluice-bench/target/benchmarks.jar \
 *     SleepyTasksBenchmark -bm ss -f 2 -wi 5 -i 10
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SleepyTasksBenchmark {

  /** Tasks per run. */
  @Param({"100000"})
  public int tasks;

  /** Tasks in flight at most. */
  @Param({"10000"})
  public int inFlight;

  /** How long each task sleeps. */
  @Param({"10"})
  public int sleepMillis;

  @Benchmark
  public long taskGroupSubmit() throws InterruptedException {
    long millis = sleepMillis;
    try (TaskGroup group =
        TaskGroup.builder()
            .name("sleepy-submit")
            .virtualThreads()
            .maxConcurrency(inFlight)
            .build()) {
      TaskGroup.Action task = () -> Thread.sleep(millis);
      for (int i = 0; i < tasks; i++) {
        group.submit(task);
      }
      group.join();
      return group.stats().completed();
    }
  }

  @Benchmark
  public long taskGroupMapConcurrent() {
    long millis = sleepMillis;
    long done = 0;
    try (TaskGroup group = TaskGroup.builder().name("sleepy-map").virtualThreads().build();
        Stream<Completion<Integer, Integer>> results =
            group.mapConcurrent(
                new Range(tasks),
                inFlight,
                TaskGroup.Order.COMPLETION,
                i -> {
                  Thread.sleep(millis);
                  return i;
                })) {
      Iterator<Completion<Integer, Integer>> it = results.iterator();
      while (it.hasNext()) {
        it.next().resultOrThrow();
        done++;
      }
    }
    return done;
  }

  @Benchmark
  public long virtualPerTaskSemaphore() throws InterruptedException {
    long millis = sleepMillis;
    Semaphore permits = new Semaphore(inFlight);
    Runnable task =
        () -> {
          try {
            Thread.sleep(millis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            permits.release();
          }
        };
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tasks; i++) {
        permits.acquire();
        executor.execute(task);
      }
    }
    return tasks;
  }

  /** The integers {@code 0..n-1}, produced lazily. */
  static final class Range implements Iterator<Integer> {
    private final int n;
    private int next;

    Range(int n) {
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return next < n;
    }

    @Override
    public Integer next() {
      if (next >= n) {
        throw new NoSuchElementException();
      }
      return next++;
    }
  }
}
