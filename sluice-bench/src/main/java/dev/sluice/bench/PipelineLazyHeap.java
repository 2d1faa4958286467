package dev.sluice.bench;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Peak heap of a pipeline over a lazy source of many items; not a JMH benchmark, a program.
 *
 * <p>The pipeline: {@code Pipeline.from(iterator)} over a counter {@code 0..n-1} (each {@link Long}
 * made as it is pulled, nothing materialised), {@code map("a", 1, x -> x + 1)}, {@code map("b", 1,
 * x -> x + 1)}, {@code forEach("sink", 1, sum)}: stage defaults otherwise (virtual threads, input
 * capacity 16). The sum is checked after each run.
 *
 * <p>For each size given (default 1M, 5M and 10M), after a warm-up run and a {@link System#gc()}
 * baseline, it reports:
 *
 * <ol>
 *   <li><b>pool peak sum</b>: the sum over heap {@link MemoryPoolMXBean}s of {@link
 *       MemoryPoolMXBean#getPeakUsage() peak usage}, reset after the baseline. It counts garbage
 *       not yet collected, so it mostly shows how far the collector lets the young generation grow;
 *       with {@code -Xmn16m} it is bounded by that;
 *   <li><b>sampled peak</b>: the largest {@link MemoryMXBean#getHeapMemoryUsage() used heap} seen
 *       by a thread sampling every 10 ms (also includes garbage);
 *   <li><b>live after GC</b>: the largest heap in use right after any collection during the run
 *       (from GC notifications): what the run retains, garbage excluded. This is the measure that
 *       would grow with the input if anything were materialised.
 * </ol>
 *
 * <p>Run (from the repository root, after {@code mvn -pl sluice-bench -am package -DskipTests}),
 * one JVM per size:
 *
 * <pre>
 * J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
 * CP=sluice-bench/target/benchmarks.jar
 * for n in 1000000 5000000 10000000; do $J -Xmx2g -cp $CP dev.sluice.bench.PipelineLazyHeap $n; done
 * for n in 1000000 10000000; do $J -Xmx2g -Xmn16m -cp $CP dev.sluice.bench.PipelineLazyHeap $n; done
 * </pre>
 *
 * Target (issue 4): peak under 64 MB, flat from 1M to 10M items.
 */
public final class PipelineLazyHeap {

  private static final double MB = 1024.0 * 1024.0;

  private PipelineLazyHeap() {}

  public static void main(String[] args) throws Exception {
    List<Long> sizes = new ArrayList<>();
    for (String arg : args) {
      long n = Long.parseLong(arg.replace("_", ""));
      if (n < 1) {
        throw new IllegalArgumentException("items must be >= 1: " + arg);
      }
      sizes.add(n);
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000_000L, 5_000_000L, 10_000_000L);
    }

    List<MemoryPoolMXBean> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    Set<String> heapPoolNames =
        heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    GcWatcher watcher = GcWatcher.install(heapPoolNames);
    AtomicLong liveAfterGc = watcher.liveAfterGc;
    AtomicLong gcs = watcher.gcs;

    // Warm the code paths so that class loading and compilation are not part of the peak.
    run(50_000);

    String collectors =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining("+"));
    for (long n : sizes) {
      System.gc();
      System.gc();
      long baseline = memory.getHeapMemoryUsage().getUsed();
      heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
      liveAfterGc.set(0);
      gcs.set(0);

      AtomicLong sampledPeak = new AtomicLong(baseline);
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .name("heap-sampler")
              .start(
                  () -> {
                    while (true) {
                      sampledPeak.accumulateAndGet(
                          memory.getHeapMemoryUsage().getUsed(), Math::max);
                      try {
                        Thread.sleep(10);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });

      long start = System.nanoTime();
      run(n);
      double seconds = (System.nanoTime() - start) / 1e9;
      sampledPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      sampler.interrupt();
      sampler.join();

      long poolPeaks = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      System.out.printf(
          Locale.ROOT,
          "items=%d time=%.2fs (%.0f ns/item) baseline=%.1fMB poolPeakSum=%.1fMB"
              + " sampledPeak=%.1fMB liveAfterGcPeak=%.1fMB gcs=%d gc=%s%n",
          n,
          seconds,
          seconds * 1e9 / n,
          baseline / MB,
          poolPeaks / MB,
          sampledPeak.get() / MB,
          liveAfterGc.get() / MB,
          gcs.get(),
          collectors);
    }
  }

  private static PipelineResult<Void> run(long n) throws InterruptedException {
    long[] sum = new long[1]; // written by the single sink worker; run() joins it
    PipelineResult<Void> result =
        Pipeline.from(new LongCounter(n))
            .map("a", 1, (Long x) -> x + 1)
            .map("b", 1, (Long x) -> x + 1)
            .forEach("sink", 1, (Long x) -> sum[0] += x)
            .run();
    long expected = n * (n - 1) / 2 + 2 * n;
    if (sum[0] != expected || result.delivered() != n) {
      throw new IllegalStateException(
          "delivered "
              + result.delivered()
              + " of "
              + n
              + " items, sum "
              + sum[0]
              + ", expected "
              + expected);
    }
    return result;
  }

  /** The longs {@code 0..n-1}, boxed one by one as they are pulled. */
  private static final class LongCounter implements Iterator<Long> {
    private final long n;
    private long next;

    LongCounter(long n) {
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return next < n;
    }

    @Override
    public Long next() {
      if (next >= n) {
        throw new NoSuchElementException();
      }
      return next++;
    }
  }
}
