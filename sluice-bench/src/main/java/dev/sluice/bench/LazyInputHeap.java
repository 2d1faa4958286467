package dev.sluice.bench;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Peak heap while processing many lazily produced inputs; not a JMH benchmark, a program run once
 * per configuration, each in its own JVM.
 *
 * <ul>
 *   <li>{@code map N}: {@link TaskGroup#mapConcurrent} over a lazy iterator of {@code N} inputs
 *       with {@code maxInFlight} 1,000, on a group of 2 platform threads; the main thread consumes
 *       the completions.
 *   <li>{@code pool N}: a fixed {@link ThreadPoolExecutor} of 2 threads on an unbounded {@link
 *       LinkedBlockingQueue}, fed all {@code N} tasks at once, then shut down and awaited.
 * </ul>
 *
 * Each task burns {@code tokens} (third argument, default {@value #DEFAULT_TOKENS}) of {@link
 * Blackhole#consumeCPU} and returns its input plus one; the results are summed and checked.
 *
 * <p>Three measures of heap, all after a {@link System#gc()} baseline, and the bytes allocated per
 * input by all threads during the run ({@code com.sun.management.ThreadMXBean}; garbage included,
 * so it says how fast the young generation fills):
 *
 * <ol>
 *   <li><b>sampled</b>: the largest {@link MemoryMXBean#getHeapMemoryUsage() used heap} seen by a
 *       daemon thread that samples every 10 ms. It includes garbage not yet collected, so it
 *       depends on how large the collector lets the young generation grow;
 *   <li><b>pool peaks</b>: the sum over heap {@link MemoryPoolMXBean}s of {@link
 *       MemoryPoolMXBean#getPeakUsage() peak usage} (reset after the baseline); an upper bound, as
 *       the pools may peak at different moments;
 *   <li><b>live after GC</b>: the largest heap in use right after any collection during the run
 *       (from GC notifications): what the run retains, garbage excluded.
 * </ol>
 *
 * <p>Run (from the repository root, after {@code mvn -pl sluice-bench -am package -DskipTests}),
 * one JVM per configuration:
 *
 * <pre>
 * J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
 * CP=sluice-bench/target/benchmarks.jar
 * for n in 1000000 5000000 10000000; do $J -Xmx2g -cp $CP dev.sluice.bench.LazyInputHeap map $n; done
 * $J -Xmx2g -cp $CP dev.sluice.bench.LazyInputHeap pool 10000000
 * </pre>
 *
 * Question: is the memory of {@code mapConcurrent} bounded by {@code maxInFlight} and not by the
 * number of inputs? Target: peak under 64 MB, and flat from 1M to 10M inputs.
 */
public final class LazyInputHeap {

  static final int DEFAULT_TOKENS = 200;
  private static final int MAX_IN_FLIGHT = 1_000;
  private static final double MB = 1024.0 * 1024.0;

  private LazyInputHeap() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !Set.of("map", "pool").contains(args[0])) {
      System.err.println("usage: LazyInputHeap map|pool <inputs> [tokens]");
      System.exit(2);
    }
    String mode = args[0];
    long inputs = Long.parseLong(args[1]);
    int tokens = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_TOKENS;

    List<MemoryPoolMXBean> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    Set<String> heapPoolNames =
        heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    // Warm the code paths a little so that class loading is not part of the peak.
    run(mode, 20_000, tokens);

    System.gc();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);

    GcWatcher watcher = GcWatcher.install(heapPoolNames);
    AtomicLong liveAfterGc = watcher.liveAfterGc;
    AtomicLong gcs = watcher.gcs;

    AtomicLong sampledPeak = new AtomicLong(baseline);
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .name("heap-sampler")
            .start(
                () -> {
                  while (true) {
                    sampledPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                      Thread.sleep(10);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getTotalThreadAllocatedBytes();
    long start = System.nanoTime();
    run(mode, inputs, tokens);
    double seconds = (System.nanoTime() - start) / 1e9;
    long allocated = threads.getTotalThreadAllocatedBytes() - allocatedBefore;
    sampledPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    sampler.interrupt();
    sampler.join();

    long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    String collectors =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining("+"));
    System.out.printf(
        Locale.ROOT,
        "mode=%s inputs=%d tokens=%d time=%.2fs baseline=%.1fMB sampledPeak=%.1fMB"
            + " (+%.1fMB) poolPeakSum=%.1fMB liveAfterGcPeak=%.1fMB gcs=%d gc=%s"
            + " allocated=%.0fMB (%.0f B/input)%n",
        mode,
        inputs,
        tokens,
        seconds,
        baseline / MB,
        sampledPeak.get() / MB,
        (sampledPeak.get() - baseline) / MB,
        poolPeaks / MB,
        liveAfterGc.get() / MB,
        gcs.get(),
        collectors,
        allocated / MB,
        (double) allocated / inputs);
  }

  private static void run(String mode, long inputs, int tokens) throws InterruptedException {
    long expected = inputs * (inputs + 1) / 2;
    long sum = mode.equals("map") ? runMap(inputs, tokens) : runPool(inputs, tokens);
    if (sum != expected) {
      throw new IllegalStateException("sum of results " + sum + ", expected " + expected);
    }
  }

  private static long work(long input, int tokens) {
    Blackhole.consumeCPU(tokens);
    return input + 1;
  }

  private static long runMap(long inputs, int tokens) {
    long sum = 0;
    try (TaskGroup group =
            TaskGroup.builder().name("lazy-heap").platformThreads().maxConcurrency(2).build();
        Stream<Completion<Long, Long>> results =
            group.mapConcurrent(
                new LongRange(inputs),
                MAX_IN_FLIGHT,
                TaskGroup.Order.COMPLETION,
                i -> work(i, tokens))) {
      Iterator<Completion<Long, Long>> it = results.iterator();
      while (it.hasNext()) {
        Long r = it.next().resultOrThrow();
        sum += r == null ? 0 : r;
      }
    }
    return sum;
  }

  private static long runPool(long inputs, int tokens) throws InterruptedException {
    LongAdder sum = new LongAdder();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    for (long i = 0; i < inputs; i++) {
      long input = i;
      pool.execute(() -> sum.add(work(input, tokens)));
    }
    pool.shutdown();
    if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("the pool did not finish within 10 minutes");
    }
    return sum.sum();
  }

  /** The longs {@code 0..n-1}, produced lazily. */
  private static final class LongRange implements Iterator<Long> {
    private final long n;
    private long next;

    LongRange(long n) {
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return next < n;
    }

    @Override
    public Long next() {
      if (next >= n) {
        throw new java.util.NoSuchElementException();
      }
      return next++;
    }
  }
}
