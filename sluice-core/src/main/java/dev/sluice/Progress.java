package dev.sluice;

import dev.sluice.internal.ProgressConsole;
import dev.sluice.internal.ProgressFormat;
import dev.sluice.internal.ProgressLines;
import dev.sluice.internal.ProgressTerminal;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Ready-made {@link ProgressListener}s that show a running pipeline to a person: a live table on a
 * terminal, or plain lines for logs and pipes.
 *
 * <pre>{@code
 * Pipeline.from(paths)
 *     .map("read", 16, Files::readAllBytes)
 *     .map("hash", Stage.workers(4).platformThreads(), Hashes::sha256)
 *     .forEach("store", 1, store::put)
 *     .progress(Duration.ofMillis(200), Progress.auto(System.err))
 *     .run();
 * }</pre>
 *
 * <p>On a terminal, {@link #terminal(PrintStream)} redraws a table in place (here for a pipeline
 * whose {@code parse} stage is the bottleneck):
 *
 * <pre>{@code
 * pipeline RUNNING, 2.0s elapsed
 * stage   kind     workers  received  emitted  failed  queue               rate  busy
 * source  source       0/1       605      604       0      -              453/s    0%
 * fetch   map          3/8       588      580       0  16/16  [########]  453/s   48%
 * parse   map          2/2       564      562       0  16/16  [########]  436/s  100%
 * store   forEach      1/1       561      560       0   1/16  [#.......]  436/s   82%
 * bottleneck: parse limits throughput: 97% busy, input full; more workers would help
 * }</pre>
 *
 * <p>{@code workers} is busy workers out of all; {@code queue} the items waiting in the stage's
 * input out of its capacity; {@code rate} items received per second and {@code busy} the share of
 * worker time spent processing, both since the previous snapshot.
 *
 * <p>Elsewhere, {@link #lines(PrintStream)} prints one line per snapshot:
 *
 * <pre>{@code
 * [2.4s] source 401 (308/s) -> fetch 384 (308/s, q 16/16) -> parse 376 (323/s, q 16/16) -> ...
 * }</pre>
 *
 * <p>Both end with the final table: exact counts, each stage's average rate and utilisation over
 * its life. Live rates and utilisations are measured between consecutive snapshots, so they show
 * what the pipeline does now, not its average so far. Counts are shortened as {@link #formatCount}
 * does.
 *
 * <p>Each listener returned here keeps state between snapshots: give each pipeline run its own (a
 * listener used again after a run has finished starts afresh). They write to the stream from the
 * pipeline's progress thread; anything else written to the same terminal while a live table is
 * shown ends up inside the table's area and is drawn over.
 *
 * @see Timeline
 */
public final class Progress {

  private Progress() {}

  /**
   * A live table redrawn in place on an ANSI terminal, as wide as the {@code COLUMNS} environment
   * variable says, or 100 columns when it is not set (most shells do not export it). On each
   * snapshot the table is redrawn over the previous one by moving the cursor up; the screen never
   * scrolls. When the pipeline ends the final table is drawn once more and the cursor left below
   * it.
   *
   * <pre>{@code
   * pipeline.progress(Duration.ofMillis(200), Progress.terminal(System.err)).run();
   * }</pre>
   *
   * @param out the terminal, usually {@code System.err}
   * @return a new listener
   */
  public static ProgressListener terminal(PrintStream out) {
    return terminal(out, ProgressConsole.columns());
  }

  /**
   * A live table redrawn in place on an ANSI terminal {@code columns} wide. No line is longer than
   * {@code columns - 1}: on a narrow terminal the less useful columns are left out first (the queue
   * bar, kind, failed, emitted, workers, busy, queue) and then lines are cut.
   *
   * <pre>{@code
   * pipeline.progress(Duration.ofMillis(200), Progress.terminal(System.err, 80)).run();
   * }</pre>
   *
   * @param out the terminal
   * @param columns the terminal's width, at least 1
   * @return a new listener
   * @throws IllegalArgumentException if {@code columns} is not positive
   */
  public static ProgressListener terminal(PrintStream out, int columns) {
    Objects.requireNonNull(out, "out");
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be positive: " + columns);
    }
    return new ProgressTerminal(out, columns);
  }

  /**
   * Plain lines, one per snapshot, and the final table as plain text when the pipeline ends. No
   * control characters: for logs, files and pipes.
   *
   * <pre>{@code
   * pipeline.progress(Duration.ofSeconds(5), Progress.lines(System.err)).run();
   * }</pre>
   *
   * @param out where to write
   * @return a new listener
   */
  public static ProgressListener lines(PrintStream out) {
    return lines(out, Duration.ZERO);
  }

  /**
   * Plain lines, at most one per {@code interval} of the pipeline's elapsed time, whatever the
   * snapshot period, and the final table when the pipeline ends. Each line's rates cover the time
   * since the line before.
   *
   * <pre>{@code
   * pipeline.progress(Duration.ofMillis(200), Progress.lines(System.err, Duration.ofSeconds(2)))
   * }</pre>
   *
   * @param out where to write
   * @param interval the least time between two lines; zero for a line per snapshot
   * @return a new listener
   * @throws IllegalArgumentException if {@code interval} is negative
   */
  public static ProgressListener lines(PrintStream out, Duration interval) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative: " + interval);
    }
    long nanos;
    try {
      nanos = interval.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    return new ProgressLines(out, nanos);
  }

  /**
   * {@link #terminal(PrintStream)} if {@code out} is an interactive terminal ({@link #isTerminal}),
   * otherwise {@link #lines(PrintStream, Duration) lines} at most one a second, so that a short
   * snapshot period chosen for the terminal does not flood a log.
   *
   * <pre>{@code
   * pipeline.progress(Duration.ofMillis(200), Progress.auto(System.err)).run();
   * }</pre>
   *
   * <p>The choice is made once, when this is called. See {@link #isTerminal} for how, and its
   * limits.
   *
   * @param out where to write, usually {@code System.err}
   * @return a new listener
   */
  public static ProgressListener auto(PrintStream out) {
    Objects.requireNonNull(out, "out");
    return isTerminal(out) ? terminal(out) : lines(out, Duration.ofSeconds(1));
  }

  /**
   * Whether {@code out} is an interactive terminal that {@link #terminal} can draw on. Java has no
   * portable way to ask this of one stream, so:
   *
   * <ul>
   *   <li>only {@code System.out} and {@code System.err} themselves can be terminals; any other
   *       stream, even one wrapping them, is not;
   *   <li>{@code TERM=dumb} means no;
   *   <li>on Linux the answer is exact: the stream's file descriptor is looked up in {@code
   *       /proc/self/fd};
   *   <li>elsewhere it comes from {@link System#console()}: on JDK 22 and later from {@code
   *       Console.isTerminal()}, on JDK 21 from whether a console exists. Both describe stdin and
   *       stdout, not the given stream, so with {@code System.err} redirected to a file but stdout
   *       on a terminal the answer is wrong (control sequences in the file), and with only stdout
   *       redirected, plain lines appear on a terminal.
   * </ul>
   *
   * <pre>{@code
   * ProgressListener listener =
   *     Progress.isTerminal(System.err) ? Progress.terminal(System.err) : Progress.lines(System.err);
   * }</pre>
   *
   * @param out a stream
   * @return whether it is a terminal
   */
  public static boolean isTerminal(PrintStream out) {
    Objects.requireNonNull(out, "out");
    return ProgressConsole.isTerminal(out);
  }

  /**
   * A count in short form, as progress shows it: exact below 1000, then three significant digits
   * and a unit ({@code k}, {@code M}, {@code G}, {@code T}, {@code P}, {@code E}, powers of 1000).
   *
   * <pre>{@code
   * Progress.formatCount(999)        // "999"
   * Progress.formatCount(1_234)      // "1.2k"
   * Progress.formatCount(123_456)    // "123k"
   * Progress.formatCount(3_400_000)  // "3.4M"
   * }</pre>
   *
   * @param count the count
   * @return its short form
   */
  public static String formatCount(long count) {
    return ProgressFormat.count(count);
  }

  /**
   * A rate per second in short form: one decimal below 10, whole numbers below 1000, then as {@link
   * #formatCount}.
   *
   * <pre>{@code
   * Progress.formatRate(2.34)    // "2.3"
   * Progress.formatRate(98.4)    // "98"
   * Progress.formatRate(1234.5)  // "1.2k"
   * }</pre>
   *
   * @param perSecond the rate
   * @return its short form, {@code "-"} if not a finite number
   */
  public static String formatRate(double perSecond) {
    return ProgressFormat.rate(perSecond);
  }

  /**
   * A duration in short form: seconds with tenths (truncated) below a minute, then minutes and
   * seconds, then hours, minutes and seconds.
   *
   * <pre>{@code
   * Progress.formatDuration(Duration.ofMillis(12_345))  // "12.3s"
   * Progress.formatDuration(Duration.ofSeconds(245))    // "4m05s"
   * Progress.formatDuration(Duration.ofSeconds(3725))   // "1h02m05s"
   * }</pre>
   *
   * @param duration the duration; negative counts as zero
   * @return its short form
   */
  public static String formatDuration(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    return ProgressFormat.duration(duration);
  }
}
