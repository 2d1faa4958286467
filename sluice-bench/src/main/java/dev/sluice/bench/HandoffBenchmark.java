package dev.sluice.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many items per second can P producers hand to C consumers through one bounded queue?
 *
 * <p>Each invocation moves a fixed batch of {@value #ITEMS} items: every producer puts {@code ITEMS
 * / P} items, every consumer takes {@code ITEMS / C}, and the invocation returns when the last
 * consumer has its share. The score is items per second ({@code @OperationsPerInvocation}). The
 * producer and consumer threads are created once per trial and parked between invocations; the JMH
 * thread only starts a round and waits for it (it does not take part in the hand-off).
 *
 * <p>Configurations ({@code config}): {@code 1P1C-platform} and {@code 2P2C-platform} on platform
 * threads, {@code 8P8C-virtual} and {@code 1000P1000C-virtual} on virtual threads.
 *
 * <p>Contenders ({@code queue}), each with {@code capacity} slots and the same batch, thread kind
 * and items:
 *
 * <ul>
 *   <li>{@code sluice}: {@code Channel.bounded(capacity)}, {@code send}/{@code receive}.
 *   <li>{@code ArrayBlockingQueue}, {@code LinkedBlockingQueue}: {@code put}/{@code take}.
 *   <li>{@code LinkedTransferQueue}: {@code put}/{@code take}; unbounded by nature, so its
 *       producers never wait for room (the batch size bounds how far ahead they get) and {@code
 *       capacity} does not apply.
 *   <li>{@code jctools}: JCTools {@code MpmcArrayQueue(capacity)} (capacity rounded up to a power
 *       of two) with a retry loop on {@code offer}/{@code poll}: a short spin, then {@code
 *       LockSupport.parkNanos} with a doubling, bounded backoff, on both sides. It offers no close:
 *       threads blocked on it leave only when interrupted.
 * </ul>
 *
 * <p>Every item is consumed: consumers sum the values they take and producers the values they put;
 * the trial fails at tear-down if the two differ.
 *
 * <p>Run (from the repository root, with JDK 21 or later):
 *
 * <pre>
 * mvn -q -pl sluice-bench -am package -DskipTests
 * java -jar sluice-bench/target/benchmarks.jar HandoffBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *     -p capacity=1024 -rf json -rff handoff.json
 * </pre>
 *
 * Add {@code -p queue=sluice,jctools} or {@code -p config=8P8C-virtual} to run a subset, {@code -p
 * capacity=16} for a small buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HandoffBenchmark {

  /** Items moved by one invocation, whatever the configuration. */
  static final int ITEMS = 100_000;

  /** A round that takes longer than this is reported as stuck instead of hanging the run. */
  private static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Distinct item objects, allocated once so that no contender pays for boxing. */
  private static final Integer[] VALUES = new Integer[1024];

  static {
    for (int i = 0; i < VALUES.length; i++) {
      VALUES[i] = i + 1_000; // outside the Integer cache; any fixed objects would do
    }
  }

  @Param({"1P1C-platform", "2P2C-platform", "8P8C-virtual", "1000P1000C-virtual"})
  String config;

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
  private Thread[] workers;
  private int consumers;

  /** Incremented by the JMH thread to start a round; workers wait for it to change. */
  private volatile int round;

  private volatile boolean stopped;

  /** The JMH thread waiting for the current round; the last consumer to finish unparks it. */
  private volatile Thread driver;

  /** Consumers that have not yet taken their share of the current round. */
  private final AtomicInteger remaining = new AtomicInteger();

  /** Producers that have not yet put their share of the current round (for diagnostics). */
  private final AtomicInteger producersLeft = new AtomicInteger();

  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /** Written by each worker as it exits; read after join. */
  private long[] sums;

  private long[] counts;

  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = config.split("[PC-]");
    int producers = Integer.parseInt(parts[0]);
    consumers = Integer.parseInt(parts[1]);
    boolean virtual =
        switch (config.substring(config.indexOf('-') + 1)) {
          case "virtual" -> true;
          case "platform" -> false;
          default -> throw new IllegalArgumentException("thread kind must be given: " + config);
        };
    if (ITEMS % producers != 0 || ITEMS % consumers != 0) {
      throw new IllegalArgumentException(
          ITEMS + " items must split evenly among the threads: " + config);
    }
    contender = Contender.create(queue, capacity);
    int workerCount = producers + consumers;
    workers = new Thread[workerCount];
    sums = new long[workerCount];
    counts = new long[workerCount];
    Thread.Builder builder =
        virtual
            ? Thread.ofVirtual().name("bench-", 0)
            : Thread.ofPlatform().daemon().name("bench-", 0);
    for (int i = 0; i < workerCount; i++) {
      int index = i;
      Runnable body =
          i < producers
              ? () -> produce(index, ITEMS / producers)
              : () -> consume(index, ITEMS / consumers);
      workers[i] = builder.unstarted(body);
    }
    for (Thread worker : workers) {
      worker.start();
    }
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public void handoff() {
    driver = Thread.currentThread();
    remaining.set(consumers);
    producersLeft.set(workers.length - consumers);
    round++; // only this thread writes it; the volatile write publishes remaining and driver
    for (Thread worker : workers) {
      LockSupport.unpark(worker);
    }
    long start = System.nanoTime();
    while (remaining.get() != 0) {
      LockSupport.parkNanos(this, 100_000_000L);
      Throwable t = failure.get();
      if (t != null) {
        throw new IllegalStateException("a worker failed", t);
      }
      if (System.nanoTime() - start > STUCK_NANOS) {
        throw new IllegalStateException(stuck());
      }
    }
  }

  /** Describes a round that made no progress for {@link #STUCK_NANOS}: a lost wake-up, likely. */
  private String stuck() {
    Map<Thread.State, Integer> states = new TreeMap<>();
    for (Thread worker : workers) {
      states.merge(worker.getState(), 1, Integer::sum);
    }
    return "round "
        + round
        + " of "
        + queue
        + " ("
        + config
        + ", capacity "
        + capacity
        + ") did not finish within "
        + TimeUnit.NANOSECONDS.toSeconds(STUCK_NANOS)
        + " s: "
        + producersLeft.get()
        + " producers and "
        + remaining.get()
        + " consumers short of their share, "
        + contender.size()
        + " items buffered; worker states "
        + states;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    stopped = true;
    contender.shutdown(); // sluice: close; the others are woken by the interrupts
    for (Thread worker : workers) {
      worker.interrupt();
    }
    for (Thread worker : workers) {
      if (!worker.join(Duration.ofSeconds(30))) {
        throw new IllegalStateException("worker did not stop: " + worker);
      }
    }
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a worker failed", t);
    }
    long sent = 0;
    long received = 0;
    long sentCount = 0;
    long receivedCount = 0;
    int producers = workers.length - consumers;
    for (int i = 0; i < workers.length; i++) {
      if (i < producers) {
        sent += sums[i];
        sentCount += counts[i];
      } else {
        received += sums[i];
        receivedCount += counts[i];
      }
    }
    if (sent != received || sentCount != receivedCount) {
      throw new IllegalStateException(
          "items lost: sent "
              + sentCount
              + " (sum "
              + sent
              + "), received "
              + receivedCount
              + " (sum "
              + received
              + ")");
    }
  }

  /** Waits for the next round; false when the trial is over. */
  private boolean awaitRound(int seen) {
    while (round == seen) {
      if (stopped) {
        return false;
      }
      LockSupport.park(this);
    }
    return !stopped;
  }

  private void produce(int index, int share) {
    long sum = 0;
    long count = 0;
    int seen = 0;
    try {
      while (awaitRound(seen)) {
        seen++;
        for (int i = 0; i < share; i++) {
          Integer item = VALUES[(index + i) & (VALUES.length - 1)];
          contender.put(item);
          sum += item;
        }
        count += share;
        producersLeft.decrementAndGet();
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      sums[index] = sum;
      counts[index] = count;
    }
  }

  private void consume(int index, int share) {
    long sum = 0;
    long count = 0;
    int seen = 0;
    try {
      while (awaitRound(seen)) {
        seen++;
        for (int i = 0; i < share; i++) {
          sum += contender.take();
        }
        count += share;
        if (remaining.decrementAndGet() == 0) {
          LockSupport.unpark(driver);
        }
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      sums[index] = sum;
      counts[index] = count;
    }
  }

  private void fail(Throwable t) {
    if (!stopped) {
      failure.compareAndSet(null, t);
      LockSupport.unpark(driver);
    }
  }
}
