package dev.sluice.bench;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.Stage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
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
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * How long does a 3-stage {@code x -> x + 1} pipeline take to move {@code items} items from a lazy
 * source to a summing sink?
 *
 * <p>One invocation is one whole run ({@link Mode#SingleShotTime}): start the pipeline, move every
 * item, wait until every thread of the run is done. The score is milliseconds per run; divide by
 * {@code items} for the time per item. Every contender moves the same boxed {@link Integer}s
 * ({@code 0..items-1}, boxed by the source as a user's iterator would), applies {@code x + 1} three
 * times (boxing each result), and sums the results into a {@code long} on its last thread; the sum
 * is checked after every run, so a contender that drops, duplicates or skips items fails the trial.
 *
 * <p>Contenders ({@code contender}):
 *
 * <ul>
 *   <li>{@code sluice}: {@code Pipeline.from(iterator).map("a", 1, x -> x + 1).map("b", 1,
 *       ...).map("c", 1, ...).forEach("sink", 1, sum)}: the defaults a user gets with 1 worker per
 *       stage (virtual threads, default input capacity {@link #DEFAULT_CAPACITY}). Five threads
 *       (source, a, b, c, sink), four channels.
 *   <li>{@code sluice-platform}: the same with {@code Stage.workers(1).platformThreads()} on every
 *       stage; the source of {@code Pipeline.from(iterator)} takes no options, so it stays on a
 *       virtual thread.
 *   <li>{@code sluice-2workers}: 2 workers in each map stage (virtual threads, default capacity);
 *       the source and the sink keep 1.
 *   <li>{@code sluice-cap16}: 1 worker per stage, virtual threads, {@code capacity(16)} on every
 *       stage (the default before it became 256), to show what the buffer size is worth.
 *   <li>{@code handwritten}: what the seed does by hand: five platform threads (source, a, b, c,
 *       sink) joined by four {@code ArrayBlockingQueue}s of sluice's default capacity; the end of
 *       input travels as a poison-pill object (a private {@code Object}, not a magic value).
 *   <li>{@code handwritten-virtual}: the same on virtual threads, to tell what the thread kind
 *       alone is worth.
 *   <li>{@code reactor}: Reactor 3.7 as a user writes it: {@code Flux.range(0, items)}, then per
 *       stage {@code publishOn(Schedulers.newSingle(..)).map(x -> x + 1)}, then {@code
 *       publishOn(sink).doOnNext(sum)} and {@code blockLast()}. Default prefetch (256). Reactor
 *       fuses {@code range} into the first {@code publishOn}, so the source runs on stage a's
 *       thread: four threads, three queues.
 *   <li>{@code reactor-source}: as {@code reactor}, with the source on its own thread ({@code
 *       subscribeOn(Schedulers.newSingle(..))}), so that it has sluice's topology: five threads,
 *       four queues.
 *   <li>{@code stream}: {@code IntStream.range(0, items).boxed().map(x -> x + 1)} three times and a
 *       sum, sequential, on the JMH thread: the per-item lower bound, no hand-off at all.
 * </ul>
 *
 * <p>Reactor's schedulers are created once per trial (a user would keep them); sluice and the
 * hand-written pipeline start their threads in every run, which is part of what they cost.
 *
 * <p>Run (from the repository root, with JDK 21 or later) in several short passes whose contender
 * order alternates, so that the machine's noise hits every contender alike, and compare contenders
 * within a pass (one fork per contender and pass; one 10 M-item warm-up run is enough for the JIT):
 *
 * <pre>
 * mvn -q -pl sluice-bench -am package -DskipTests
 * L=sluice,handwritten,reactor,stream,handwritten-virtual,reactor-source
 * R=reactor-source,handwritten-virtual,stream,reactor,handwritten,sluice
 * for p in 1 2 3 4 5 6; do
 *   if [ $((p % 2)) = 1 ]; then C=$L; else C=$R; fi
 *   java -jar sluice-bench/target/benchmarks.jar PipelineBenchmark -p contender=$C \
 *       -rf json -rff pipeline-p$p.json
 * done
 * </pre>
 *
 * Add {@code -p items=1000000} for a quick run, {@code -prof gc} for bytes per item ({@code
 * gc.alloc.rate.norm / items}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PipelineBenchmark {

  static final String SLUICE = "sluice";
  static final String SLUICE_PLATFORM = "sluice-platform";
  static final String SLUICE_2_WORKERS = "sluice-2workers";
  static final String SLUICE_CAP_16 = "sluice-cap16";
  static final String HANDWRITTEN = "handwritten";
  static final String HANDWRITTEN_VIRTUAL = "handwritten-virtual";
  static final String REACTOR = "reactor";
  static final String REACTOR_SOURCE = "reactor-source";
  static final String STREAM = "stream";

  /** Sluice's default input capacity for a stage of one worker, read from the library. */
  static final int DEFAULT_CAPACITY = Stage.workers(1).capacity();

  @Param({
    SLUICE,
    SLUICE_PLATFORM,
    SLUICE_2_WORKERS,
    SLUICE_CAP_16,
    HANDWRITTEN,
    HANDWRITTEN_VIRTUAL,
    REACTOR,
    REACTOR_SOURCE,
    STREAM
  })
  String contender;

  @Param({"10000000"})
  int items;

  private final List<Scheduler> schedulers = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    if (items < 1) {
      throw new IllegalArgumentException("items must be >= 1: " + items);
    }
    switch (contender) {
      case REACTOR, REACTOR_SOURCE -> {
        for (String name : List.of("source", "a", "b", "c", "sink")) {
          schedulers.add(Schedulers.newSingle("reactor-" + name));
        }
      }
      case SLUICE,
          SLUICE_PLATFORM,
          SLUICE_2_WORKERS,
          SLUICE_CAP_16,
          HANDWRITTEN,
          HANDWRITTEN_VIRTUAL,
          STREAM -> {}
      default -> throw new IllegalArgumentException("unknown contender: " + contender);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    schedulers.forEach(Scheduler::dispose);
    schedulers.clear();
  }

  @Benchmark
  public long pipeline() throws InterruptedException {
    long sum =
        switch (contender) {
          case SLUICE -> sluice(Stage.workers(1), Stage.workers(1));
          case SLUICE_PLATFORM ->
              sluice(Stage.workers(1).platformThreads(), Stage.workers(1).platformThreads());
          case SLUICE_2_WORKERS -> sluice(Stage.workers(2), Stage.workers(1));
          case SLUICE_CAP_16 ->
              sluice(Stage.workers(1).capacity(16), Stage.workers(1).capacity(16));
          case HANDWRITTEN -> handwritten(Thread.ofPlatform());
          case HANDWRITTEN_VIRTUAL -> handwritten(Thread.ofVirtual());
          case REACTOR -> reactor(false);
          case REACTOR_SOURCE -> reactor(true);
          case STREAM -> stream();
          default -> throw new IllegalArgumentException("unknown contender: " + contender);
        };
    long expected = expectedSum(items);
    if (sum != expected) {
      throw new IllegalStateException(
          contender + " summed " + sum + " over " + items + " items, expected " + expected);
    }
    return sum;
  }

  /** The sum of {@code x + 3} over {@code 0..n-1}. */
  static long expectedSum(long n) {
    return n * (n - 1) / 2 + 3 * n;
  }

  // ---------------------------------------------------------------------------------------------
  // sluice

  private long sluice(Stage map, Stage sink) throws InterruptedException {
    long[] sum = new long[1]; // written by the single sink worker; read after run() has joined it
    PipelineResult<Void> result =
        Pipeline.from(new Counter(items))
            .map("a", map, (Integer x) -> x + 1)
            .map("b", map, (Integer x) -> x + 1)
            .map("c", map, (Integer x) -> x + 1)
            .forEach("sink", sink, (Integer x) -> sum[0] += x)
            .run();
    if (result.delivered() != items) {
      throw new IllegalStateException(
          "sluice delivered " + result.delivered() + " of " + items + " items");
    }
    return sum[0];
  }

  /** The integers {@code 0..n-1}, boxed one by one as they are pulled. */
  static final class Counter implements Iterator<Integer> {
    private final int n;
    private int next;

    Counter(int n) {
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

  // ---------------------------------------------------------------------------------------------
  // Hand-written: a platform thread per stage, ArrayBlockingQueues, a poison pill

  /** The end of input; compared by identity, so no item value is reserved. */
  private static final Object POISON = new Object();

  private long handwritten(Thread.Builder threads) throws InterruptedException {
    List<BlockingQueue<Object>> queues = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queues.add(new ArrayBlockingQueue<>(DEFAULT_CAPACITY));
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] sum = new long[1];
    List<Thread> started = new ArrayList<>();
    started.add(
        worker(
            threads,
            "source",
            failure,
            () -> {
              BlockingQueue<Object> out = queues.get(0);
              Counter source = new Counter(items);
              while (source.hasNext()) {
                out.put(source.next());
              }
              out.put(POISON);
            }));
    for (int s = 0; s < 3; s++) {
      BlockingQueue<Object> in = queues.get(s);
      BlockingQueue<Object> out = queues.get(s + 1);
      started.add(
          worker(
              threads,
              "stage-" + s,
              failure,
              () -> {
                while (true) {
                  Object item = in.take();
                  if (item == POISON) {
                    out.put(POISON);
                    return;
                  }
                  out.put((Integer) item + 1);
                }
              }));
    }
    started.add(
        worker(
            threads,
            "sink",
            failure,
            () -> {
              BlockingQueue<Object> in = queues.get(3);
              long total = 0;
              while (true) {
                Object item = in.take();
                if (item == POISON) {
                  break;
                }
                total += (Integer) item;
              }
              sum[0] = total;
            }));
    for (Thread t : started) {
      t.start();
    }
    for (Thread t : started) {
      t.join(); // publishes sum[0]
    }
    Throwable t = failure.get();
    if (t != null) {
      throw new IllegalStateException("a hand-written stage failed", t);
    }
    return sum[0];
  }

  private interface Body {
    void run() throws InterruptedException;
  }

  private static Thread worker(
      Thread.Builder threads, String name, AtomicReference<Throwable> failure, Body body) {
    return threads
        .name("handwritten-" + name)
        .unstarted(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failure.compareAndSet(null, t);
              }
            });
  }

  // ---------------------------------------------------------------------------------------------
  // Reactor

  private long reactor(boolean sourceThread) {
    long[] sum = new long[1]; // written on the sink's thread; blockLast() publishes it
    Flux<Integer> source = Flux.range(0, items);
    if (sourceThread) {
      source = source.subscribeOn(schedulers.get(0));
    }
    source
        .publishOn(schedulers.get(1))
        .map(x -> x + 1)
        .publishOn(schedulers.get(2))
        .map(x -> x + 1)
        .publishOn(schedulers.get(3))
        .map(x -> x + 1)
        .publishOn(schedulers.get(4))
        .doOnNext(x -> sum[0] += x)
        .blockLast();
    return sum[0];
  }

  // ---------------------------------------------------------------------------------------------
  // Sequential stream: the per-item work without any hand-off

  private long stream() {
    return IntStream.range(0, items)
        .boxed()
        .map(x -> x + 1)
        .map(x -> x + 1)
        .map(x -> x + 1)
        .mapToLong(Integer::longValue)
        .sum();
  }
}
