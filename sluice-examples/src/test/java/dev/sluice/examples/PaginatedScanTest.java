package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.PaginatedScan.Page;
import dev.sluice.examples.PaginatedScan.Result;
import dev.sluice.examples.PaginatedScan.Table;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class PaginatedScanTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  private static int pageCount(Table table) {
    return IntStream.range(0, table.segments()).map(table::pages).sum();
  }

  @ParameterizedTest(name = "{0} segments of up to {1} pages of {2} items, {3} at a time")
  @CsvSource({
    "1, 1, 1, 1",
    "10, 4, 5, 1",
    "10, 4, 5, 3",
    "25, 7, 3, 8",
    "3, 50, 2, 2",
    "40, 1, 4, 16"
  })
  void everyItemIsSeenExactlyOnceAndJoinReturnsWhenNoPageIsPending(
      int segments, int maxPages, int itemsPerPage, int maxConcurrency) throws Exception {
    Table table = new Table(segments, maxPages, itemsPerPage, Duration.ZERO);

    Result result = PaginatedScan.run(table, maxConcurrency, out);

    Map<Integer, Integer> once =
        IntStream.range(0, table.size())
            .boxed()
            .collect(Collectors.toMap(Function.identity(), i -> 1));
    assertThat(result.timesSeen()).isEqualTo(once);
    assertThat(result.total()).isEqualTo(table.size());
    assertThat(result.pagesStarted()).hasSize(pageCount(table)).doesNotHaveDuplicates();
    assertThat(result.pendingAfterJoin()).isZero();
    assertThat(result.peakRunning()).isBetween(1, maxConcurrency);
  }

  @Test
  void withOneSlotTheFollowUpsOfASegmentRunBeforeTheNextSegmentStarts() throws Exception {
    Table table = new Table(10, 4, 5, Duration.ZERO);

    Result result = PaginatedScan.run(table, 1, out);

    List<String> segmentBySegment = new ArrayList<>();
    for (int s = 0; s < table.segments(); s++) {
      for (int p = 0; p < table.pages(s); p++) {
        segmentBySegment.add(s + "/" + p);
      }
    }
    assertThat(result.pagesStarted()).containsExactlyElementsOf(segmentBySegment);
  }

  @Test
  void withSeveralSlotsEachSegmentStillReadsItsPagesInOrder() throws Exception {
    Table table = new Table(12, 5, 2, Duration.ofMillis(1));

    Result result = PaginatedScan.run(table, 3, out);

    for (int s = 0; s < table.segments(); s++) {
      String prefix = s + "/";
      List<String> pages =
          result.pagesStarted().stream().filter(p -> p.startsWith(prefix)).toList();
      assertThat(pages)
          .as("segment %d", s)
          .containsExactlyElementsOf(
              IntStream.range(0, table.pages(s)).mapToObj(p -> prefix + p).toList());
    }
    assertThat(result.peakRunning()).isBetween(1, 3);
  }

  @Test
  void theSummaryCountsPagesAndItems() throws Exception {
    PaginatedScan.run(new Table(10, 4, 5, Duration.ZERO), 1, out);

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0))
        .isEqualTo("10 segments, 25 pages, 125 items: 125 processed, 125 of them exactly once");
    assertThat(lines.get(1))
        .isEqualTo("pages running at once: at most 1 (maxConcurrency 1); pending after join: 0");
    assertThat(lines.get(2)).startsWith("pages in the order they started: 0/0 1/0 1/1 1/2 1/3 2/0");
  }

  @Test
  void aSegmentIsReadPageByPageFollowingTheTokens() throws Exception {
    Table table = new Table(3, 4, 2, Duration.ZERO);

    assertThat(table.pages(2)).isEqualTo(3);
    List<Integer> items = new ArrayList<>();
    Page page = table.scan(2, null);
    items.addAll(page.items());
    int pages = 1;
    while (page.next() != null) {
      page = table.scan(2, page.next());
      items.addAll(page.items());
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(items).containsExactly(10, 11, 12, 13, 14, 15);
    assertThat(table.size()).isEqualTo(16);
  }

  @Test
  void invalidTableSizesAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> new Table(0, 4, 5, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segments must be >= 1: 0");
    assertThatThrownBy(() -> new Table(1, -2, 5, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPages must be >= 1: -2");
    assertThatThrownBy(() -> new Table(1, 1, 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("itemsPerPage must be >= 1: 0");
  }
}
