package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.Stage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lazy source of 10 million items runs through three stages in a JVM whose heap is capped at 64
 * MB: the run completing proves it never needed more. The pipeline runs in a child JVM started with
 * {@code -Xmx64m}, the current {@code java} and this JVM's class path.
 *
 * <p>Size it with {@code -Dsluice.heapTest.items=N} (default 10,000,000).
 */
class PipelineHeapTest {

  private static final long ITEMS = Long.getLong("sluice.heapTest.items", 10_000_000L);

  /**
   * Each stage's input capacity: small against the heap (a few thousand boxed longs in all), large
   * enough that the single-worker stages hand items over without parking on every one.
   */
  static final int CAPACITY = 1024;

  @Test
  @Timeout(180)
  void tenMillionLazyItemsRunInA64MegabyteHeap() throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xmx64m");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Child.class.getName());
    command.add(Long.toString(ITEMS));
    Path log = Files.createTempFile("sluice-heap-test", ".log");
    try {
      Process child =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean ended = child.waitFor(150, TimeUnit.SECONDS);
      if (!ended) {
        child.destroyForcibly().waitFor();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(ended).as("the child JVM ended in time; its output:%n%s", output).isTrue();
      assertThat(child.exitValue())
          .as("the child JVM's exit code; its output:%n%s", output)
          .isZero();
      assertThat(output).contains("delivered " + ITEMS);
      System.out.println("PipelineHeapTest child: " + output.strip());
    } finally {
      deleteQuietly(log);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a temp file; not worth failing the test over
    }
  }

  /** The integers 0 to n-1, made one at a time: nothing is materialised. */
  static final class Count implements Iterator<Long> {
    private final long n;
    private long next;

    Count(long n) {
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

  /** The child JVM: runs the pipeline and prints what it delivered, the time and the peak heap. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      long n = Long.parseLong(args[0]);
      LongAdder sum = new LongAdder();
      long started = System.nanoTime();
      PipelineResult<Void> result =
          Pipeline.from(new Count(n))
              .map("plus1", Stage.workers(1).platformThreads().capacity(CAPACITY), x -> x + 1)
              .filter("all", Stage.workers(1).platformThreads().capacity(CAPACITY), x -> x > 0)
              .map("times2", Stage.workers(1).platformThreads().capacity(CAPACITY), x -> x * 2)
              .forEach("sum", Stage.workers(1).platformThreads().capacity(CAPACITY), sum::add)
              .run();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      long expected = n * (n + 1); // 2 * (1 + 2 + ... + n)
      if (result.delivered() != n || sum.sum() != expected) {
        System.out.println("wrong result: delivered " + result.delivered() + ", sum " + sum.sum());
        System.exit(2);
      }
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.println(
          "delivered "
              + result.delivered()
              + " in "
              + millis
              + " ms; peak heap (sum of pool peaks) "
              + peak / (1024 * 1024)
              + " MB; max heap "
              + Runtime.getRuntime().maxMemory() / (1024 * 1024)
              + " MB");
    }
  }
}
