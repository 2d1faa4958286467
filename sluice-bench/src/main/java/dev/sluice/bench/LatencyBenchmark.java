package dev.sluice.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does one uncontended hand-off cost? One thread inserts an item and removes it again, so the
 * queue is never full, never empty when read, and nobody ever waits: the score is the fixed cost of
 * the two calls, in nanoseconds per round trip.
 *
 * <ul>
 *   <li>{@link #offerPoll}: the non-blocking pair: sluice {@code trySend}/{@code tryReceive} (which
 *       returns an {@code Optional}), {@code offer}/{@code poll} for the others.
 *   <li>{@link #putTake}: the blocking pair: sluice {@code send}/{@code receive}, {@code
 *       put}/{@code take} for the {@code BlockingQueue}s; JCTools has no blocking pair, so this is
 *       its retry loop, which succeeds on the first {@code offer}/{@code poll} here.
 * </ul>
 *
 * <p>Contenders ({@code queue}) as in {@link HandoffBenchmark}, each with {@code capacity} slots
 * ({@code LinkedTransferQueue} is unbounded).
 *
 * <p>Run (from the repository root, with JDK 21 or later):
 *
 * <pre>
 * mvn -q -pl sluice-bench -am package -DskipTests
 * java -jar sluice-bench/target/benchmarks.jar LatencyBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *     -rf json -rff latency.json
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LatencyBenchmark {

  @Param({
    Contender.SLUICE,
    Contender.ABQ,
    Contender.LBQ,
    Contender.LTQ,
    Contender.JCTOOLS,
  })
  String queue;

  @Param({"1024"})
  int capacity;

  private Contender<Integer> contender;

  /** Not a compile-time constant, so the JIT cannot fold the item away. */
  private Integer item = 1_000;

  @Setup(Level.Trial)
  public void setUp() {
    contender = Contender.create(queue, capacity);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (contender.poll() != null) {
      throw new IllegalStateException("the queue should be empty after each round trip");
    }
    contender.shutdown();
  }

  @Benchmark
  public Integer offerPoll() {
    if (!contender.offer(item)) {
      throw new IllegalStateException("offer failed on an empty queue");
    }
    return contender.poll();
  }

  @Benchmark
  public Integer putTake() throws InterruptedException {
    contender.put(item);
    return contender.take();
  }
}
