package dev.sluice.bench;

import dev.sluice.TaskGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Recursive fan-out: a complete binary tree of tasks of the given {@code depth} ({@code 2^depth}
 * leaves, {@code 2^(depth+1) - 1} tasks), where each inner node submits its two children and each
 * leaf adds one to a {@link LongAdder}. One invocation builds the whole tree and waits for it; the
 * score is milliseconds per tree. Every invocation checks that all leaves ran.
 *
 * <p>Contenders, each built once per trial:
 *
 * <ul>
 *   <li>{@code taskGroupPlatform2}: {@link TaskGroup} on platform threads, {@code maxConcurrency
 *       2}; nodes submit their children fire-and-forget (follow-ups, newest first) and the outside
 *       thread waits with {@code join()};
 *   <li>{@code taskGroupPlatform2SubmitOneRunOne}: the same group, each inner node submits one
 *       child and runs the other itself, so the group schedules {@code 2^depth - 1} tasks, as many
 *       as the pool below forks (the pool's second child is also computed in place);
 *   <li>{@code forkJoinPool2}: {@code new ForkJoinPool(2)} with a {@link RecursiveAction} that
 *       forks one child, computes the other and joins;
 *   <li>{@code threadPool2}: a fixed {@link ThreadPoolExecutor} of 2 threads on a {@link
 *       LinkedBlockingQueue}, with a pending counter ({@link AtomicLong}) that opens a latch when
 *       it reaches zero.
 * </ul>
 *
 * <p>Question: how far is a group from the work-stealing pool on the workload that pool was built
 * for? Target: {@code taskGroupPlatform2} at least half the throughput of {@code forkJoinPool2}.
 *
 * <p>Run (from the repository root, after {@code mvn -pl sluice-bench -am package -DskipTests}):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar sluice-bench/target/benchmarks.jar \
 *     FanOutBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FanOutBenchmark {

  /** Depth of the tree: {@code 2^depth} leaves. */
  @Param({"20"})
  public int depth;

  private final LongAdder leaves = new LongAdder();
  private TaskGroup group;
  private ForkJoinPool forkJoinPool;
  private ThreadPoolExecutor threadPool;

  @Setup
  public void setUp() {
    group = TaskGroup.builder().name("fan-out").platformThreads().maxConcurrency(2).build();
    forkJoinPool = new ForkJoinPool(2);
    threadPool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    group.close();
    forkJoinPool.shutdown();
    threadPool.shutdown();
    if (!forkJoinPool.awaitTermination(10, TimeUnit.SECONDS)
        || !threadPool.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("an executor did not terminate within 10 s");
    }
  }

  @Benchmark
  public long taskGroupPlatform2() throws InterruptedException {
    group.submit(() -> groupNode(depth));
    group.join();
    return checkLeaves();
  }

  private void groupNode(int d) {
    if (d == 0) {
      leaves.increment();
      return;
    }
    group.submit(() -> groupNode(d - 1));
    group.submit(() -> groupNode(d - 1));
  }

  @Benchmark
  public long taskGroupPlatform2SubmitOneRunOne() throws InterruptedException {
    group.submit(() -> groupNodeSubmitOneRunOne(depth));
    group.join();
    return checkLeaves();
  }

  private void groupNodeSubmitOneRunOne(int d) {
    if (d == 0) {
      leaves.increment();
      return;
    }
    group.submit(() -> groupNodeSubmitOneRunOne(d - 1));
    groupNodeSubmitOneRunOne(d - 1);
  }

  @Benchmark
  public long forkJoinPool2() {
    forkJoinPool.invoke(new Node(depth));
    return checkLeaves();
  }

  private final class Node extends RecursiveAction {
    private static final long serialVersionUID = 1L;
    private final int d;

    Node(int d) {
      this.d = d;
    }

    @Override
    protected void compute() {
      if (d == 0) {
        leaves.increment();
        return;
      }
      Node left = new Node(d - 1);
      left.fork();
      new Node(d - 1).compute();
      left.join();
    }
  }

  @Benchmark
  public long threadPool2() throws InterruptedException {
    AtomicLong pending = new AtomicLong(1);
    CountDownLatch done = new CountDownLatch(1);
    threadPool.execute(new PoolNode(depth, pending, done));
    done.await();
    return checkLeaves();
  }

  private final class PoolNode implements Runnable {
    private final int d;
    private final AtomicLong pending;
    private final CountDownLatch done;

    PoolNode(int d, AtomicLong pending, CountDownLatch done) {
      this.d = d;
      this.pending = pending;
      this.done = done;
    }

    @Override
    public void run() {
      if (d == 0) {
        leaves.increment();
      } else {
        pending.addAndGet(2);
        threadPool.execute(new PoolNode(d - 1, pending, done));
        threadPool.execute(new PoolNode(d - 1, pending, done));
      }
      if (pending.decrementAndGet() == 0) {
        done.countDown();
      }
    }
  }

  private long checkLeaves() {
    long n = leaves.sumThenReset();
    if (n != 1L << depth) {
      throw new IllegalStateException("expected " + (1L << depth) + " leaves but " + n + " ran");
    }
    return n;
  }
}
