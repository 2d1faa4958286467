package dev.sluice.examples;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Seed pattern 5b: many tasks from a lazy source, with a bounded number in flight.
 *
 * <p>Submitting ten million tasks at once would hold ten million tasks in memory; submitting them
 * in chunks leaves workers idle at the end of every chunk. The seed keeps the pool topped up: start
 * N tasks, then start one more each time one finishes. {@link TaskGroup#mapConcurrent} does exactly
 * that: it pulls the next input from the iterator only when a completion has been handed over, so
 * at most N inputs exist at a time.
 *
 * <p>The source here is an {@link Iterator} that makes each number when asked, never a list. It
 * measures the bound itself: after each pull, the numbers pulled minus the completions the caller
 * has received. A daemon thread samples the used heap while the run lasts.
 */
public final class LazyInFlight {

  /**
   * What a run did.
   *
   * @param count how many completions the caller received
   * @param sum the sum of the results
   * @param failures how many inputs failed
   * @param peakInFlight the most inputs pulled and not yet received, measured by the source
   * @param heapBefore bytes of heap used before the run, after a GC hint
   * @param peakHeap the most bytes of heap used seen while the run lasted, garbage included
   * @param peakHeapAfterGc the most bytes of heap left in use after a collection while the run
   *     lasted: about what the run kept alive
   * @param elapsed how long the run took
   */
  public record Result(
      long count,
      long sum,
      long failures,
      long peakInFlight,
      long heapBefore,
      long peakHeap,
      long peakHeapAfterGc,
      Duration elapsed) {}

  private LazyInFlight() {}

  /** Runs the example: ten million inputs, 64 in flight. */
  public static void main(String[] args) {
    run(10_000_000, 64, System.out);
  }

  /**
   * The work for one input, tiny on purpose: the number of one bits of {@code x}.
   *
   * @param x the input
   * @return its one bits
   */
  public static int work(long x) {
    return Long.bitCount(x);
  }

  /**
   * Applies {@link #work} to each of the numbers 0..n-1 as a task, at most {@code maxInFlight} at a
   * time, and adds up the results.
   *
   * @param n how many inputs, at least 0
   * @param maxInFlight the most inputs in flight, at least 1
   * @param out where to print the summary
   * @return what happened
   */
  public static Result run(long n, int maxInFlight, PrintStream out) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0: " + n);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
    }
    HeapSampler heap = HeapSampler.start(Duration.ofMillis(5));
    long started = System.nanoTime();
    Numbers numbers = new Numbers(n);
    long count = 0;
    long sum = 0;
    long failures = 0;
    int cores = Runtime.getRuntime().availableProcessors();
    // region lazy-in-flight
    // CPU-bound work: as many tasks run as there are cores; up to maxInFlight wait their turn
    try (TaskGroup group = TaskGroup.builder().name("bits").maxConcurrency(cores).build();
        Stream<Completion<Long, Integer>> results =
            group.mapConcurrent(
                numbers, maxInFlight, TaskGroup.Order.COMPLETION, LazyInFlight::work)) {
      for (Completion<Long, Integer> c : (Iterable<Completion<Long, Integer>>) results::iterator) {
        numbers.delivered(); // one fewer in flight
        if (c.succeeded()) {
          count++;
          sum += c.result();
        } else {
          failures++;
        }
      }
    }
    // endregion
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    heap.stop();
    Result result =
        new Result(
            count,
            sum,
            failures,
            numbers.peakInFlight(),
            heap.before(),
            heap.peak(),
            heap.peakAfterGc(),
            elapsed);
    double seconds = elapsed.toNanos() / 1e9;
    out.printf(
        "%,d inputs (%,d failed), sum of results %,d, in %.1f s (%,.0f per second)%n",
        result.count(), result.failures(), result.sum(), seconds, count / Math.max(seconds, 1e-9));
    out.printf("peak in flight: %d (bound %d)%n", result.peakInFlight(), maxInFlight);
    out.printf(
        "heap used: %.1f MiB before; while running at most %.1f MiB, garbage included, and at most"
            + " %.1f MiB left after a collection%n",
        mib(result.heapBefore()), mib(result.peakHeap()), mib(result.peakHeapAfterGc()));
    return result;
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  /**
   * The numbers 0..n-1, each made when asked, counting how many are in flight: pulled by {@link
   * TaskGroup#mapConcurrent} and not yet {@linkplain #delivered() received} by the caller. Both
   * happen on the caller's thread ({@code mapConcurrent} pulls inputs as its stream is consumed),
   * so plain fields suffice.
   */
  static final class Numbers implements Iterator<Long> {
    private final long n;
    private long pulled;
    private long delivered;
    private long peakInFlight;

    Numbers(long n) {
      this.n = n;
    }

    @Override
    public boolean hasNext() {
      return pulled < n;
    }

    @Override
    public Long next() {
      if (pulled >= n) {
        throw new NoSuchElementException("all " + n + " numbers were pulled");
      }
      long x = pulled++;
      peakInFlight = Math.max(peakInFlight, pulled - delivered);
      return x;
    }

    void delivered() {
      delivered++;
    }

    long peakInFlight() {
      return peakInFlight;
    }
  }

  /**
   * Samples on a daemon thread the heap used (garbage included) and the heap left in use by the
   * latest collection of each heap pool, keeping the peak of each.
   */
  private static final class HeapSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> pools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
            .toList();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final long before;
    private final Thread thread;

    private HeapSampler(Duration every) {
      System.gc(); // a hint: start from a heap without the garbage of earlier work
      before = used();
      long nanos = every.toNanos();
      thread =
          Thread.ofPlatform()
              .name("heap-sampler")
              .daemon()
              .unstarted(
                  () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                      sample();
                      try {
                        TimeUnit.NANOSECONDS.sleep(nanos);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    static HeapSampler start(Duration every) {
      HeapSampler sampler = new HeapSampler(every);
      sampler.thread.start();
      return sampler;
    }

    private long used() {
      return memory.getHeapMemoryUsage().getUsed();
    }

    private void sample() {
      peak.accumulateAndGet(used(), Math::max);
      long afterGc = 0;
      for (MemoryPoolMXBean pool : pools) {
        MemoryUsage usage = pool.getCollectionUsage();
        afterGc += usage == null ? 0 : usage.getUsed();
      }
      peakAfterGc.accumulateAndGet(afterGc, Math::max);
    }

    void stop() {
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sample();
    }

    long before() {
      return before;
    }

    long peak() {
      return peak.get();
    }

    long peakAfterGc() {
      return peakAfterGc.get();
    }
  }
}
