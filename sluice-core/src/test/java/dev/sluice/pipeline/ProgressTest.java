package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.PipelineStats.State;
import dev.sluice.Progress;
import dev.sluice.ProgressListener;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import dev.sluice.testing.ThreadLeakExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The progress renderers, fed synthetic snapshots, and once on a real pipeline. */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(30)
class ProgressTest {

  private static final String ESC = "\u001b";
  private static final String CLEAR = ESC + "[2K";

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  // -----------------------------------------------------------------------------------------------
  // Snapshots

  private static StageStats stage(
      String name,
      String kind,
      int workers,
      long received,
      long emitted,
      long failed,
      int queued,
      int capacity,
      int busyWorkers,
      Duration busyTime,
      Duration elapsed) {
    return new StageStats(
        name,
        kind,
        workers,
        received,
        emitted,
        emitted,
        0,
        failed,
        0,
        0,
        0,
        queued,
        capacity,
        busyWorkers,
        busyTime,
        Duration.ZERO,
        elapsed);
  }

  /** Three stages two seconds in: hash is saturated (95% busy, input full). */
  private static PipelineStats twoSecondsIn() {
    Duration elapsed = Duration.ofSeconds(2);
    return new PipelineStats(
        State.RUNNING,
        elapsed,
        List.of(
            stage("src", "source", 1, 2000, 2000, 0, 0, 0, 0, Duration.ZERO, elapsed),
            stage("hash", "map", 4, 1500, 1480, 3, 64, 64, 4, Duration.ofMillis(7600), elapsed),
            stage(
                "store", "forEach", 1, 1480, 1480, 0, 2, 16, 0, Duration.ofMillis(500), elapsed)));
  }

  /** The same pipeline, one second later, finished. */
  private static PipelineStats finishedAtThreeSeconds() {
    Duration elapsed = Duration.ofSeconds(3);
    return new PipelineStats(
        State.SUCCEEDED,
        elapsed,
        List.of(
            stage("src", "source", 1, 2500, 2500, 0, 0, 0, 0, Duration.ZERO, elapsed),
            stage("hash", "map", 4, 2500, 2497, 3, 0, 64, 0, Duration.ofMillis(11_400), elapsed),
            stage(
                "store", "forEach", 1, 2497, 2497, 0, 0, 16, 0, Duration.ofMillis(900), elapsed)));
  }

  /** One stage whose received count is {@code received} at {@code seconds}. */
  private static PipelineStats single(double seconds, long received, State state) {
    Duration elapsed = Duration.ofMillis(Math.round(seconds * 1000));
    return new PipelineStats(
        state,
        elapsed,
        List.of(
            stage("src", "source", 1, received, received, 0, 0, 0, 0, Duration.ZERO, elapsed),
            stage("work", "map", 2, received, received, 0, 1, 8, 1, elapsed, elapsed)));
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private String takePrinted() {
    String text = printed();
    bytes.reset();
    return text;
  }

  // -----------------------------------------------------------------------------------------------
  // Formatting

  @Test
  void countsAreShortenedToThreeSignificantDigitsAndAUnit() {
    assertThat(Progress.formatCount(0)).isEqualTo("0");
    assertThat(Progress.formatCount(999)).isEqualTo("999");
    assertThat(Progress.formatCount(1000)).isEqualTo("1.0k");
    assertThat(Progress.formatCount(1234)).isEqualTo("1.2k");
    assertThat(Progress.formatCount(12_345)).isEqualTo("12.3k");
    assertThat(Progress.formatCount(99_949)).isEqualTo("99.9k");
    assertThat(Progress.formatCount(99_950)).isEqualTo("100k");
    assertThat(Progress.formatCount(123_456)).isEqualTo("123k");
    assertThat(Progress.formatCount(999_499)).isEqualTo("999k");
    assertThat(Progress.formatCount(999_500)).isEqualTo("1.0M");
    assertThat(Progress.formatCount(3_400_000)).isEqualTo("3.4M");
    assertThat(Progress.formatCount(7_000_000_000L)).isEqualTo("7.0G");
    assertThat(Progress.formatCount(Long.MAX_VALUE)).isEqualTo("9.2E");
    assertThat(Progress.formatCount(-1234)).isEqualTo("-1.2k");
    assertThat(Progress.formatCount(Long.MIN_VALUE)).isEqualTo("-9.2E");
  }

  @Test
  void ratesShowADecimalOnlyBelowTen() {
    assertThat(Progress.formatRate(0)).isEqualTo("0.0");
    assertThat(Progress.formatRate(2.34)).isEqualTo("2.3");
    assertThat(Progress.formatRate(9.96)).isEqualTo("10");
    assertThat(Progress.formatRate(98.4)).isEqualTo("98");
    assertThat(Progress.formatRate(999.4)).isEqualTo("999");
    assertThat(Progress.formatRate(999.6)).isEqualTo("1.0k");
    assertThat(Progress.formatRate(1234.5)).isEqualTo("1.2k");
    assertThat(Progress.formatRate(Double.NaN)).isEqualTo("-");
    assertThat(Progress.formatRate(Double.POSITIVE_INFINITY)).isEqualTo("-");
  }

  @Test
  void durationsAreSecondsWithTenthsThenMinutesThenHours() {
    assertThat(Progress.formatDuration(Duration.ZERO)).isEqualTo("0.0s");
    assertThat(Progress.formatDuration(Duration.ofMillis(12_345))).isEqualTo("12.3s");
    assertThat(Progress.formatDuration(Duration.ofMillis(59_999))).isEqualTo("59.9s");
    assertThat(Progress.formatDuration(Duration.ofSeconds(60))).isEqualTo("1m00s");
    assertThat(Progress.formatDuration(Duration.ofSeconds(245))).isEqualTo("4m05s");
    assertThat(Progress.formatDuration(Duration.ofSeconds(3725))).isEqualTo("1h02m05s");
    assertThat(Progress.formatDuration(Duration.ofSeconds(-5))).isEqualTo("0.0s");
    assertThat(Progress.formatDuration(Duration.ofSeconds(Long.MAX_VALUE))).endsWith("s");
  }

  // -----------------------------------------------------------------------------------------------
  // Terminal

  @Test
  void theFirstFrameIsPrintedAsIsWithEachLineClearedFirst() {
    ProgressListener terminal = Progress.terminal(out, 100);

    terminal.onProgress(twoSecondsIn());

    assertThat(printed())
        .isEqualTo(
            CLEAR
                + "pipeline RUNNING, 2.0s elapsed\n"
                + CLEAR
                + "stage  kind     workers  received  emitted  failed  queue                rate"
                + "  busy\n"
                + CLEAR
                + "src    source       0/1      2.0k     2.0k       0      -              1.0k/s"
                + "    0%\n"
                + CLEAR
                + "hash   map          4/4      1.5k     1.5k       3  64/64  [########]   750/s"
                + "   95%\n"
                + CLEAR
                + "store  forEach      0/1      1.5k     1.5k       0   2/16  [#.......]   740/s"
                + "   25%\n"
                + CLEAR
                + "bottleneck: hash limits throughput: 95% busy, input full; more workers would"
                + " help\n");
  }

  @Test
  void laterFramesMoveTheCursorUpOverThePreviousFrameInsteadOfScrolling() {
    ProgressListener terminal = Progress.terminal(out, 100);
    terminal.onProgress(single(1, 100, State.RUNNING));
    String first = takePrinted();

    terminal.onProgress(single(2, 400, State.RUNNING));
    String second = takePrinted();

    assertThat(first).doesNotContain(ESC + "[" + 5 + "A").startsWith(CLEAR + "pipeline RUNNING");
    // Back to the start of the line, up the five lines of the previous frame, then five lines.
    assertThat(second).startsWith("\r" + ESC + "[5A" + CLEAR + "pipeline RUNNING, 2.0s elapsed\n");
    assertThat(second.chars().filter(c -> c == '\n').count()).isEqualTo(5);
    assertThat(second.split("\n")).allSatisfy(line -> assertThat(line).contains(CLEAR));
    assertThat(second).endsWith("\n").doesNotContain(ESC + "[J");
  }

  @Test
  void theFinalFrameShowsExactCountsAndAveragesAndLeavesTheCursorBelowIt() {
    ProgressListener terminal = Progress.terminal(out, 100);
    terminal.onProgress(twoSecondsIn());
    takePrinted();

    terminal.onFinish(finishedAtThreeSeconds());

    assertThat(takePrinted())
        .isEqualTo(
            "\r"
                + ESC
                + "[6A"
                + CLEAR
                + "pipeline SUCCEEDED in 3.0s\n"
                + CLEAR
                + "stage  kind     workers  received  emitted  failed  queue              avg rate"
                + "  busy\n"
                + CLEAR
                + "src    source       0/1      2500     2500       0      -                 833/s"
                + "    0%\n"
                + CLEAR
                + "hash   map          0/4      2500     2497       3   0/64  [........]     833/s"
                + "   95%\n"
                + CLEAR
                + "store  forEach      0/1      2497     2497       0   0/16  [........]     832/s"
                + "   30%\n"
                + CLEAR
                // cut to the width less one, 99 characters
                + "bottleneck: hash limits throughput: 95% busy, input 0/64; busy but not starved"
                + " of input: upstream k\n");

    // A second run with the same listener starts a new table below the old one.
    terminal.onProgress(single(1, 100, State.RUNNING));
    assertThat(takePrinted()).doesNotContain("\r").doesNotContain(ESC + "[6A");
  }

  @Test
  void aShorterFrameClearsWhatTheTallerOneLeftBelow() {
    ProgressListener terminal = Progress.terminal(out, 100);
    terminal.onProgress(twoSecondsIn());
    takePrinted();

    terminal.onProgress(single(3, 3000, State.RUNNING));

    String frame = takePrinted();
    assertThat(frame).startsWith("\r" + ESC + "[6A").endsWith("\n" + ESC + "[J");
  }

  @Test
  void liveRatesCoverTheLastIntervalNotTheWholeRun() {
    ProgressListener terminal = Progress.terminal(out, 100);
    terminal.onProgress(single(1, 100, State.RUNNING));
    assertThat(takePrinted()).contains(" 100/s");

    terminal.onProgress(single(2, 400, State.RUNNING)); // 300 more in one second; 200/s overall

    assertThat(takePrinted()).contains(" 300/s").doesNotContain("200/s");
  }

  @Test
  void aNarrowTerminalLosesTheLeastUsefulColumnsFirstAndNoLineWraps() {
    ProgressListener terminal = Progress.terminal(out, 60);

    terminal.onProgress(twoSecondsIn());

    List<String> lines = visibleLines(printed());
    assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(59));
    assertThat(lines.get(1))
        .isEqualTo("stage  workers  received  emitted  queue    rate  busy")
        .doesNotContain("kind", "failed", "[");
    assertThat(lines.get(3)).isEqualTo("hash       4/4      1.5k     1.5k  64/64   750/s   95%");
    assertThat(lines.get(5))
        .isEqualTo("bottleneck: hash limits throughput: 95% busy, input full; m"); // 59 characters
  }

  @Test
  void aVeryNarrowTerminalKeepsStageReceivedAndRateThenCutsLines() {
    ProgressListener terminal = Progress.terminal(out, 20);

    terminal.onProgress(twoSecondsIn());

    List<String> lines = visibleLines(printed());
    assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(19));
    assertThat(lines.get(1)).isEqualTo("stage  received");
    assertThat(lines.get(3)).isEqualTo("hash       1.5k   7");
  }

  @Test
  void anUnboundedInputShowsItsDepthWithoutABar() {
    Duration elapsed = Duration.ofSeconds(1);
    PipelineStats stats =
        new PipelineStats(
            State.RUNNING,
            elapsed,
            List.of(
                stage("src", "source", 1, 10, 10, 0, 0, 0, 0, Duration.ZERO, elapsed),
                stage("sink", "forEach", 1, 5, 5, 0, 5, Integer.MAX_VALUE, 1, elapsed, elapsed)));
    ProgressListener terminal = Progress.terminal(out, 100);

    terminal.onProgress(stats);

    assertThat(visibleLines(printed()).get(3)).contains(" 5/inf ").doesNotContain("[");
  }

  @Test
  void theTerminalWidthMustBePositive() {
    assertThatThrownBy(() -> Progress.terminal(out, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("columns must be positive: 0");
  }

  /** The lines of a terminal's output as they would appear, control sequences removed. */
  private static List<String> visibleLines(String output) {
    String plain = output.replaceAll("\r|" + ESC + "\\[[0-9]*[A-Za-z]", "");
    return List.of(plain.split("\n"));
  }

  // -----------------------------------------------------------------------------------------------
  // Lines

  @Test
  void linesSummariseEverySnapshotInOneLineWithoutControlCharacters() {
    ProgressListener lines = Progress.lines(out);

    lines.onProgress(twoSecondsIn());

    assertThat(printed())
        .isEqualTo(
            "[2.0s] src 2.0k (1.0k/s) -> hash 1.5k (750/s, q 64/64, 3 failed)"
                + " -> store 1.5k (740/s, q 2/16) | bottleneck: hash limits throughput: 95% busy,"
                + " input full; more workers would help"
                + System.lineSeparator())
        .doesNotContain(ESC)
        .doesNotContain("\r");
  }

  @Test
  void linesRatesCoverTheTimeSinceTheLineBefore() {
    ProgressListener lines = Progress.lines(out);

    lines.onProgress(single(1, 100, State.RUNNING));
    lines.onProgress(single(2, 400, State.RUNNING));
    lines.onProgress(single(4, 500, State.RUNNING));

    assertThat(printed().lines().toList())
        .extracting(line -> line.substring(0, line.indexOf(" |")))
        .containsExactly(
            "[1.0s] src 100 (100/s) -> work 100 (100/s, q 1/8)",
            "[2.0s] src 400 (300/s) -> work 400 (300/s, q 1/8)",
            "[4.0s] src 500 (50/s) -> work 500 (50/s, q 1/8)");
  }

  @Test
  void linesWithAnIntervalSkipSnapshotsUntilTheIntervalHasPassed() {
    ProgressListener lines = Progress.lines(out, Duration.ofSeconds(1));

    for (int tenths = 1; tenths <= 25; tenths++) {
      lines.onProgress(single(tenths / 10.0, tenths * 10L, State.RUNNING));
    }

    assertThat(printed().lines().map(line -> line.substring(0, line.indexOf(']') + 1)))
        .containsExactly("[0.1s]", "[1.1s]", "[2.1s]");
    // The rate of the second line covers the second since the first: 100 items in 1.0s.
    assertThat(printed().lines().toList().get(1)).startsWith("[1.1s] src 110 (100/s)");
  }

  @Test
  void linesEndWithTheFinalTableInPlainText() {
    ProgressListener lines = Progress.lines(out);
    lines.onProgress(twoSecondsIn());
    takePrinted();

    lines.onFinish(finishedAtThreeSeconds());

    String text = printed();
    assertThat(text).doesNotContain(ESC).doesNotContain("\r");
    assertThat(text.lines().toList())
        .containsExactly(
            "pipeline SUCCEEDED in 3.0s",
            "stage  kind     workers  received  emitted  failed  queue              avg rate  busy",
            "src    source       0/1      2500     2500       0      -                 833/s    0%",
            "hash   map          0/4      2500     2497       3   0/64  [........]     833/s   95%",
            "store  forEach      0/1      2497     2497       0   0/16  [........]     832/s   30%",
            "bottleneck: hash limits throughput: 95% busy, input 0/64; busy but not starved of"
                + " input: upstream keeps up only just");
  }

  @Test
  void linesRejectANegativeInterval() {
    assertThatThrownBy(() -> Progress.lines(out, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must not be negative: PT-1S");
  }

  @Test
  void autoWritesPlainLinesToAStreamThatIsNotTheProcesssOwn() {
    assertThat(Progress.isTerminal(out)).isFalse();
    ProgressListener auto = Progress.auto(out);

    auto.onProgress(twoSecondsIn());
    auto.onFinish(finishedAtThreeSeconds());

    assertThat(printed()).startsWith("[2.0s] src 2.0k").doesNotContain(ESC);
  }

  // -----------------------------------------------------------------------------------------------
  // A real pipeline

  @Test
  void everyRendererFollowsARealPipelineToItsEnd() throws Exception {
    ByteArrayOutputStream terminalBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream lineBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream autoBytes = new ByteArrayOutputStream();
    ProgressListener terminal =
        Progress.terminal(new PrintStream(terminalBytes, true, StandardCharsets.UTF_8), 120);
    ProgressListener lines =
        Progress.lines(new PrintStream(lineBytes, true, StandardCharsets.UTF_8));
    ProgressListener auto = Progress.auto(new PrintStream(autoBytes, true, StandardCharsets.UTF_8));
    // The first item waits until every renderer has drawn a live snapshot, so that each shows
    // at least one live frame before the final one, however fast the machine.
    CountDownLatch snapshots = new CountDownLatch(3);
    List<ProgressListener> counted = new ArrayList<>();
    for (ProgressListener renderer : List.of(terminal, lines, auto)) {
      counted.add(
          new ProgressListener() {
            private boolean seen;

            @Override
            public void onProgress(PipelineStats stats) {
              renderer.onProgress(stats);
              if (!seen) {
                seen = true;
                snapshots.countDown();
              }
            }

            @Override
            public void onFinish(PipelineStats stats) {
              renderer.onFinish(stats);
            }
          });
    }

    var runnable =
        Pipeline.from(IntStream.range(0, 500).boxed().toList())
            .map(
                "square",
                Stage.workers(4),
                x -> {
                  if (x == 0) {
                    snapshots.await();
                  }
                  return (long) x * x;
                })
            .filter("even", 2, x -> x % 2 == 0)
            .forEach("sink", 1, x -> {});
    for (ProgressListener listener : counted) {
      runnable = runnable.progress(Duration.ofMillis(5), listener);
    }
    PipelineResult<Void> result = runnable.run();

    assertThat(result.delivered()).isEqualTo(250);
    int height = 4 + 3; // source, square, even, sink; header, column names, bottleneck
    String drawn = terminalBytes.toString(StandardCharsets.UTF_8);
    Matcher ups = Pattern.compile(ESC + "\\[(\\d+)A").matcher(drawn);
    int redraws = 0;
    while (ups.find()) {
      assertThat(Integer.parseInt(ups.group(1))).isEqualTo(height);
      redraws++;
    }
    assertThat(redraws).isPositive();
    String lastFrame = drawn.substring(drawn.lastIndexOf("\r"));
    assertThat(visibleLines(lastFrame))
        .hasSize(height)
        .first()
        .asString()
        .startsWith("pipeline SUCCEEDED in ");
    assertThat(visibleLines(lastFrame).get(3)).containsPattern("^square +map +0/4 +500 +500 ");
    assertThat(lastFrame).endsWith("\n");

    for (ByteArrayOutputStream plain : List.of(lineBytes, autoBytes)) {
      String text = plain.toString(StandardCharsets.UTF_8);
      assertThat(text).doesNotContain(ESC).contains("pipeline SUCCEEDED in ");
      assertThat(text.lines().findFirst().orElseThrow()).containsPattern("^\\[\\d+\\.\\ds\\] ");
      assertThat(text.lines().filter(line -> line.startsWith("even ")).toList())
          .singleElement()
          .asString()
          .containsPattern("^even +filter +0/2 +500 +250 ");
    }
  }
}
