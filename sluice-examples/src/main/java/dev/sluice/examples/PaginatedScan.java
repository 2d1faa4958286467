package dev.sluice.examples;

import dev.sluice.TaskGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Seed pattern 5c: follow-up work discovered from results, as in a paginated, segmented scan of a
 * table (the seed's DynamoDB parallel Scan).
 *
 * <p>The table is split into segments, and a segment is read a page at a time: each page holds some
 * items and a token for the next page, or none after the last. One task reads one page; if the page
 * has a next token, the task submits the task for the next page to its own group. The caller starts
 * one task per segment, pulling segment numbers from a lazy iterator, and {@code submit} from
 * outside waits while {@code maxPending} segments are queued. Follow-ups submitted from inside a
 * task never wait and run before queued outside work, so a segment in progress is finished before a
 * new one starts, and the number of tasks in flight stays at {@code maxConcurrency}. The scan is
 * over when {@link TaskGroup#join()} returns: no page is pending.
 */
public final class PaginatedScan {

  /**
   * One page of a segment.
   *
   * @param items the items on the page
   * @param next the token of the next page, or null after the last page
   */
  public record Page(List<Integer> items, String next) {
    public Page {
      items = List.copyOf(items);
    }
  }

  /**
   * An in-memory table of {@code segments} segments. Segment {@code s} has {@code 1 + (s * 7) %
   * maxPages} pages of {@code itemsPerPage} items; the items are the numbers 0..size-1, each once.
   * Tokens are opaque strings to the reader. Reading a page takes {@code latency}, like a request
   * to a database.
   */
  public static final class Table {
    private final List<List<List<Integer>>> segments = new ArrayList<>();
    private final int size;
    private final Duration latency;

    /**
     * Builds the table.
     *
     * @param segments how many segments, at least 1
     * @param maxPages the most pages in a segment, at least 1
     * @param itemsPerPage items on each page, at least 1
     * @param latency how long reading a page takes
     */
    public Table(int segments, int maxPages, int itemsPerPage, Duration latency) {
      require(segments, "segments");
      require(maxPages, "maxPages");
      require(itemsPerPage, "itemsPerPage");
      int item = 0;
      for (int s = 0; s < segments; s++) {
        List<List<Integer>> pages = new ArrayList<>();
        for (int p = 0; p < 1 + (s * 7) % maxPages; p++) {
          int first = item;
          pages.add(IntStream.range(first, first + itemsPerPage).boxed().toList());
          item += itemsPerPage;
        }
        this.segments.add(pages);
      }
      this.size = item;
      this.latency = Objects.requireNonNull(latency, "latency");
    }

    private static void require(int value, String name) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1: " + value);
      }
    }

    /** The number of segments. */
    public int segments() {
      return segments.size();
    }

    /** The number of pages of a segment. */
    public int pages(int segment) {
      return segments.get(segment).size();
    }

    /** The number of items in the table. */
    public int size() {
      return size;
    }

    /**
     * Reads one page of a segment.
     *
     * @param segment the segment
     * @param token null for the first page, else the token returned with the previous page
     * @return the page and the token of the next one
     * @throws InterruptedException if interrupted while reading
     */
    public Page scan(int segment, String token) throws InterruptedException {
      Thread.sleep(latency);
      List<List<Integer>> pages = segments.get(segment);
      int page = token == null ? 0 : Integer.parseInt(token.substring(token.indexOf('@') + 1));
      String next = page + 1 < pages.size() ? "segment-" + segment + "@" + (page + 1) : null;
      return new Page(pages.get(page), next);
    }
  }

  /**
   * What a scan did.
   *
   * @param timesSeen how many times each item was processed
   * @param pagesStarted "segment/page" of each page, in the order the pages started
   * @param peakRunning the most page tasks running at once
   * @param pendingAfterJoin the group's pending count once {@code join} returned
   */
  public record Result(
      Map<Integer, Integer> timesSeen,
      List<String> pagesStarted,
      int peakRunning,
      long pendingAfterJoin) {
    public Result {
      timesSeen = Map.copyOf(timesSeen);
      pagesStarted = List.copyOf(pagesStarted);
    }

    /** The number of items processed, counting repeats. */
    public int total() {
      return timesSeen.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  private PaginatedScan() {}

  /**
   * Runs the example: 10 segments of up to 4 pages of 5 items, each page taking 20 ms to read, 3
   * pages at a time.
   */
  public static void main(String[] args) throws InterruptedException {
    run(new Table(10, 4, 5, Duration.ofMillis(20)), 3, System.out);
  }

  /** The state of one scan, shared by its page tasks. */
  private static final class Scan {
    final Table table;
    final Map<Integer, Integer> timesSeen = new ConcurrentHashMap<>();
    final List<String> pagesStarted = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger peakRunning = new AtomicInteger();

    Scan(Table table) {
      this.table = table;
    }

    // region scan-page
    void scanPage(TaskGroup group, int segment, String token) throws InterruptedException {
      started(segment, token);
      Page page = table.scan(segment, token);
      if (page.next() != null) {
        // a follow-up: never blocks, and runs before segments still queued from outside
        group.submit(() -> scanPage(group, segment, page.next()));
      }
      page.items().forEach(this::process);
      finished();
    }

    // endregion

    void process(int item) {
      timesSeen.merge(item, 1, Integer::sum);
    }

    void started(int segment, String token) {
      int page = token == null ? 0 : Integer.parseInt(token.substring(token.indexOf('@') + 1));
      pagesStarted.add(segment + "/" + page);
      peakRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    }

    void finished() {
      running.decrementAndGet();
    }
  }

  /** The segment numbers 0..n-1, each made when asked. */
  private static Iterator<Integer> segmentIds(int n) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public Integer next() {
        if (next >= n) {
          throw new NoSuchElementException("all " + n + " segments were taken");
        }
        return next++;
      }
    };
  }

  /**
   * Scans the whole table, at most {@code maxConcurrency} pages at a time.
   *
   * @param table the table
   * @param maxConcurrency the most pages read at once, at least 1
   * @param out where to print
   * @return what happened
   */
  public static Result run(Table table, int maxConcurrency, PrintStream out)
      throws InterruptedException {
    Scan scan = new Scan(table);
    long pendingAfterJoin;
    // region paginated-scan
    try (TaskGroup group =
        TaskGroup.builder().name("scan").maxConcurrency(maxConcurrency).maxPending(2).build()) {
      for (Iterator<Integer> segments = segmentIds(table.segments()); segments.hasNext(); ) {
        int segment = segments.next();
        group.submit(() -> scan.scanPage(group, segment, null)); // waits while 2 are queued
      }
      group.join(); // every page of every segment has been processed
      pendingAfterJoin = group.stats().pending();
    }
    // endregion
    Result result =
        new Result(scan.timesSeen, scan.pagesStarted, scan.peakRunning.get(), pendingAfterJoin);
    long once = result.timesSeen().values().stream().filter(times -> times == 1).count();
    out.printf(
        "%d segments, %d pages, %d items: %d processed, %d of them exactly once%n",
        table.segments(), result.pagesStarted().size(), table.size(), result.total(), once);
    out.printf(
        "pages running at once: at most %d (maxConcurrency %d); pending after join: %d%n",
        result.peakRunning(), maxConcurrency, result.pendingAfterJoin());
    out.printf("pages in the order they started: %s%n", String.join(" ", result.pagesStarted()));
    return result;
  }
}
