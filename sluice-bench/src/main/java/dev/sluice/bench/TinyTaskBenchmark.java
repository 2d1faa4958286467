package dev.sluice.bench;

import dev.sluice.TaskGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of tiny tasks submitted from one outside thread: {@value #TASKS} tasks per invocation,
 * each burning {@code tokens} of {@link Blackhole#consumeCPU}, then waiting for all of them. The
 * score is tasks per second.
 *
 * <p>Contenders, each built once per trial and reused by every invocation:
 *
 * <ul>
 *   <li>{@code taskGroupPlatform2}: {@link TaskGroup} on platform threads, {@code maxConcurrency
 *       2}, {@code submit} then {@code join()};
 *   <li>{@code taskGroupVirtual}: {@link TaskGroup} with the defaults (virtual threads, unbounded
 *       concurrency), {@code submit} then {@code join()};
 *   <li>{@code threadPool2}: a fixed {@link ThreadPoolExecutor} of 2 threads on a {@link
 *       LinkedBlockingQueue}, each task counting down a {@link CountDownLatch};
 *   <li>{@code forkJoinPool2}: {@code new ForkJoinPool(2)}, external {@code execute}, with a latch;
 *   <li>{@code virtualPerTask}: {@link Executors#newVirtualThreadPerTaskExecutor()} with a latch.
 * </ul>
 *
 * <p>Question: does a group keep up with a plain thread pool when it is used as one? Target: {@code
 * taskGroupPlatform2 >= threadPool2}.
 *
 * <p>Run (from the repository root, after {@code mvn -pl sluice-bench -am package -DskipTests}):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar sluice-bench/target/benchmarks.jar \
 *     TinyTaskBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TinyTaskBenchmark {

  /** Tasks per benchmark invocation. */
  static final int TASKS = 10_000;

  /** Work per task, in {@link Blackhole#consumeCPU} tokens. */
  @Param({"10"})
  public int tokens;

  private TaskGroup platformGroup;
  private TaskGroup virtualGroup;
  private ThreadPoolExecutor threadPool;
  private ForkJoinPool forkJoinPool;
  private ExecutorService virtualPerTask;

  @Setup
  public void setUp() {
    platformGroup =
        TaskGroup.builder().name("tiny-platform").platformThreads().maxConcurrency(2).build();
    virtualGroup = TaskGroup.builder().name("tiny-virtual").virtualThreads().build();
    threadPool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    forkJoinPool = new ForkJoinPool(2);
    virtualPerTask = Executors.newVirtualThreadPerTaskExecutor();
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    platformGroup.close();
    virtualGroup.close();
    threadPool.shutdown();
    forkJoinPool.shutdown();
    virtualPerTask.shutdown();
    if (!threadPool.awaitTermination(10, TimeUnit.SECONDS)
        || !forkJoinPool.awaitTermination(10, TimeUnit.SECONDS)
        || !virtualPerTask.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("an executor did not terminate within 10 s");
    }
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public void taskGroupPlatform2() throws InterruptedException {
    runOnGroup(platformGroup, tokens);
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public void taskGroupVirtual() throws InterruptedException {
    runOnGroup(virtualGroup, tokens);
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public void threadPool2() throws InterruptedException {
    runWithLatch(threadPool, tokens);
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public void forkJoinPool2() throws InterruptedException {
    runWithLatch(forkJoinPool, tokens);
  }

  @Benchmark
  @OperationsPerInvocation(TASKS)
  public void virtualPerTask() throws InterruptedException {
    runWithLatch(virtualPerTask, tokens);
  }

  private static void runOnGroup(TaskGroup group, int tokens) throws InterruptedException {
    TaskGroup.Action task = () -> Blackhole.consumeCPU(tokens);
    for (int i = 0; i < TASKS; i++) {
      group.submit(task);
    }
    group.join();
  }

  private static void runWithLatch(ExecutorService executor, int tokens)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(TASKS);
    Runnable task =
        () -> {
          Blackhole.consumeCPU(tokens);
          done.countDown();
        };
    for (int i = 0; i < TASKS; i++) {
      executor.execute(task);
    }
    done.await();
  }
}
