package dev.sluice.examples;

import dev.sluice.Completion;
import dev.sluice.TaskGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Seed pattern 5a: a handful of tasks, their results processed as they complete, each with the
 * input it belongs to.
 *
 * <p>The seed submits every task, iterates {@code as_completed}, and keeps a dict from future to
 * input to know which input a result belongs to. {@link TaskGroup#mapConcurrent} does both: it
 * delivers each outcome as a {@link Completion} that carries its input, in the order the tasks
 * finish. A failing input is delivered like the others, with its failure instead of a result, and
 * does not stop them.
 */
public final class AsCompleted {

  /** The work done for one input; may fail. */
  @FunctionalInterface
  public interface Fetcher {
    /**
     * Fetches one address.
     *
     * @param url the address
     * @return the size of what was fetched
     * @throws Exception if the fetch fails
     */
    int fetch(String url) throws Exception;
  }

  /** The addresses the example fetches; one of them fails. */
  public static final List<String> URLS =
      List.of(
          "https://example.org/",
          "https://example.org/about",
          "https://example.org/missing",
          "https://example.org/blog",
          "https://example.org/contact",
          "https://example.org/docs");

  private AsCompleted() {}

  /** Runs the example: the addresses above, fetched with random delays, 4 at a time. */
  public static void main(String[] args) {
    run(URLS, 4, AsCompleted::fetch, System.out);
  }

  /**
   * A stand-in for an HTTP fetch: waits 10 to 300 ms, then returns the address's length times 100,
   * or fails for an address that ends with "missing".
   *
   * @param url the address
   * @return the "size" of the page
   * @throws IOException for a missing page
   */
  public static int fetch(String url) throws IOException, InterruptedException {
    Thread.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextInt(10, 300)));
    if (url.endsWith("missing")) {
      throw new IOException("404 Not Found: " + url);
    }
    return url.length() * 100;
  }

  /**
   * Fetches every address, at most {@code maxInFlight} at a time, and prints each outcome as it
   * arrives.
   *
   * @param urls the addresses
   * @param maxInFlight the most fetches at once, at least 1
   * @param fetcher what a fetch does
   * @param out where to print
   * @return the completions in the order they were delivered
   */
  public static List<Completion<String, Integer>> run(
      List<String> urls, int maxInFlight, Fetcher fetcher, PrintStream out) {
    List<Completion<String, Integer>> delivered = new ArrayList<>();
    // region as-completed
    try (TaskGroup group = TaskGroup.open();
        Stream<Completion<String, Integer>> pages =
            group.mapConcurrent(
                urls.iterator(), maxInFlight, TaskGroup.Order.COMPLETION, fetcher::fetch)) {
      pages.forEach(
          page -> {
            if (page.succeeded()) {
              out.printf("%s: %d bytes%n", page.input(), page.result());
            } else {
              out.printf("%s: failed: %s%n", page.input(), page.failure());
            }
            delivered.add(page);
          });
    }
    // endregion
    long failed = delivered.stream().filter(c -> !c.succeeded()).count();
    out.printf(
        "%d fetched, %d failed, in the order they completed%n", delivered.size() - failed, failed);
    return delivered;
  }
}
