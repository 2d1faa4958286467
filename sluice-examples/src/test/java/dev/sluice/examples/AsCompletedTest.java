package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Completion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AsCompletedTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  /** The example's fetch without its random delay. */
  private static int quickFetch(String url) throws IOException {
    if (url.endsWith("missing")) {
      throw new IOException("404 Not Found: " + url);
    }
    return url.length() * 100;
  }

  @Test
  void everyInputIsDeliveredOnceWithItsOwnResult() {
    List<Completion<String, Integer>> delivered =
        AsCompleted.run(AsCompleted.URLS, 4, AsCompletedTest::quickFetch, out);

    assertThat(delivered)
        .extracting(Completion::input)
        .containsExactlyInAnyOrderElementsOf(AsCompleted.URLS);
    for (Completion<String, Integer> c : delivered) {
      assertThat(c.input()).isEqualTo(AsCompleted.URLS.get((int) c.index()));
      if (!c.input().endsWith("missing")) {
        assertThat(c.succeeded()).as(c.input()).isTrue();
        assertThat(c.result()).as(c.input()).isEqualTo(c.input().length() * 100);
      }
    }
  }

  @Test
  void aFailingInputIsReportedWithItsInputAndDoesNotStopTheOthers() {
    List<Completion<String, Integer>> delivered =
        AsCompleted.run(AsCompleted.URLS, 2, AsCompletedTest::quickFetch, out);

    assertThat(delivered).filteredOn(Completion::succeeded).hasSize(AsCompleted.URLS.size() - 1);
    Completion<String, Integer> failed =
        delivered.stream().filter(c -> !c.succeeded()).findFirst().orElseThrow();
    assertThat(failed.input()).isEqualTo("https://example.org/missing");
    assertThat(failed.failure())
        .isInstanceOf(IOException.class)
        .hasMessage("404 Not Found: https://example.org/missing");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains(
            "https://example.org/missing: failed: java.io.IOException: 404 Not Found:"
                + " https://example.org/missing")
        .contains("5 fetched, 1 failed, in the order they completed");
  }

  @Test
  void resultsArriveInTheOrderTheyCompleteNotInInputOrder() {
    List<String> urls = List.of("slow", "a", "b", "c");
    // The first input finishes only once the caller has printed the outcomes of the three others.
    CountDownLatch othersPrinted = new CountDownLatch(3);
    PrintStream countingOut = new PrintStream(new LineCounter(othersPrinted), true);
    AsCompleted.Fetcher fetcher =
        url -> {
          if (url.equals("slow")) {
            othersPrinted.await();
          }
          return url.length();
        };

    List<Completion<String, Integer>> delivered = AsCompleted.run(urls, 4, fetcher, countingOut);

    assertThat(delivered).last().extracting(Completion::input).isEqualTo("slow");
    assertThat(delivered).last().extracting(Completion::index).isEqualTo(0L);
    assertThat(delivered).extracting(Completion::input).containsExactlyInAnyOrderElementsOf(urls);
  }

  @Test
  void noMoreThanMaxInFlightFetchesRunAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AsCompleted.Fetcher fetcher =
        url -> {
          peak.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            Thread.sleep(2);
            return url.length();
          } finally {
            running.decrementAndGet();
          }
        };

    List<Completion<String, Integer>> delivered =
        AsCompleted.run(AsCompleted.URLS, 2, fetcher, out);

    assertThat(delivered).hasSize(AsCompleted.URLS.size()).allMatch(Completion::succeeded);
    assertThat(peak.get()).isBetween(1, 2);
  }

  @Test
  void theExampleFetchFailsOnlyForTheMissingPage() throws Exception {
    assertThat(AsCompleted.URLS).filteredOn(url -> url.endsWith("/missing")).hasSize(1);
    for (String url : AsCompleted.URLS) {
      if (url.endsWith("/missing")) {
        assertThatThrownBy(() -> AsCompleted.fetch(url))
            .isInstanceOf(IOException.class)
            .hasMessage("404 Not Found: https://example.org/missing");
      } else {
        assertThat(AsCompleted.fetch(url)).as(url).isEqualTo(url.length() * 100);
      }
    }
    assertThat(AsCompleted.fetch("https://example.org/")).isEqualTo(2000);
  }

  /** Counts down a latch at each line written. */
  private static final class LineCounter extends OutputStream {
    private final CountDownLatch lines;

    LineCounter(CountDownLatch lines) {
      this.lines = lines;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        lines.countDown();
      }
    }
  }
}
