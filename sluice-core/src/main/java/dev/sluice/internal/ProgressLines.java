package dev.sluice.internal;

import dev.sluice.PipelineStats;
import dev.sluice.ProgressListener;
import dev.sluice.StageStats;
import java.io.PrintStream;
import java.util.List;

/**
 * Progress as plain lines, for logs and pipes: one compact line per snapshot (at most one per
 * interval), such as
 *
 * <pre>{@code
 * [12.3s] read 1.2k (98/s) -> hash 1.1k (90/s, q 2/64) -> store 1.1k (90/s, q 0/16) | bottleneck: ...
 * }</pre>
 *
 * and, when the pipeline ends, the final {@link ProgressTable} (exact counts, averages) as plain
 * text. No control characters are ever written.
 *
 * <p>Rates are measured between the snapshots that were printed, so that a line's rate covers the
 * time since the line before. Called by one thread at a time ({@link ProgressListener}'s contract):
 * no lock.
 */
public final class ProgressLines implements ProgressListener {

  private final PrintStream out;
  private final long intervalNanos;
  private final ProgressRates rates = new ProgressRates();
  private final ProgressTable table = new ProgressTable();
  private long lastPrintedNanos = -1;

  /**
   * A renderer writing to {@code out} at most one line per {@code intervalNanos} of the pipeline's
   * elapsed time.
   *
   * @param out where to write
   * @param intervalNanos the least time between two lines, 0 for a line per snapshot
   */
  public ProgressLines(PrintStream out, long intervalNanos) {
    this.out = out;
    this.intervalNanos = intervalNanos;
  }

  @Override
  public void onProgress(PipelineStats stats) {
    long now = ProgressFormat.saturatedNanos(stats.elapsed());
    if (lastPrintedNanos >= 0
        && now >= lastPrintedNanos
        && now - lastPrintedNanos < intervalNanos) {
      return;
    }
    lastPrintedNanos = now;
    rates.update(stats);
    out.println(line(stats, rates));
    out.flush();
  }

  @Override
  public void onFinish(PipelineStats stats) {
    for (String line : table.render(stats, rates, true, Integer.MAX_VALUE)) {
      out.println(line);
    }
    out.flush();
    lastPrintedNanos = -1;
    rates.reset();
    table.reset();
  }

  /**
   * The compact line for {@code stats}.
   *
   * @param stats the snapshot
   * @param rates rates updated with {@code stats}
   * @return the line, without a line separator
   */
  static String line(PipelineStats stats, ProgressRates rates) {
    StringBuilder line = new StringBuilder();
    line.append('[').append(ProgressFormat.duration(stats.elapsed())).append(']');
    List<StageStats> stages = stats.stages();
    for (int i = 0; i < stages.size(); i++) {
      StageStats stage = stages.get(i);
      line.append(i == 0 ? " " : " -> ")
          .append(stage.name())
          .append(' ')
          .append(ProgressFormat.count(stage.taken()))
          .append(" (")
          .append(ProgressFormat.rate(rates.rate(i)))
          .append("/s");
      String queue = ProgressTable.queue(stage, i, false);
      if (!queue.equals("-")) {
        line.append(", q ").append(queue);
      }
      if (stage.failed() > 0) {
        line.append(", ").append(ProgressFormat.count(stage.failed())).append(" failed");
      }
      line.append(')');
    }
    return line.append(" | ").append(ProgressTable.footer(stats.bottleneck())).toString();
  }
}
