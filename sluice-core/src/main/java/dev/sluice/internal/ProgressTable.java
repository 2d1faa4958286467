package dev.sluice.internal;

import dev.sluice.Bottleneck;
import dev.sluice.PipelineStats;
import dev.sluice.StageStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Lays out a snapshot as a table of plain text: a header line with the state and elapsed time, a
 * line of column names, one line per stage, and a footer with the bottleneck verdict, so always
 * {@code stages + 3} lines.
 *
 * <p>Columns keep the widest width they have had, so that numbers growing and shrinking do not make
 * the table jitter between redraws. When the table is wider than the space given, whole columns are
 * dropped, least useful first (the queue bar, kind, failed, emitted, workers, busy, queue), and any
 * line still too long is cut. Stage, received and rate always stay.
 *
 * <p>A live table shows counts in short form ({@code 1.2k}) and the rate and busy fraction over the
 * last interval; a final table shows exact counts and the averages over each stage's life.
 */
public final class ProgressTable {

  /** The width of the queue bar's inside. */
  static final int BAR_WIDTH = 8;

  private static final String GAP = "  ";

  private enum Column {
    STAGE("stage", false),
    KIND("kind", false),
    WORKERS("workers", true),
    RECEIVED("received", true),
    EMITTED("emitted", true),
    FAILED("failed", true),
    QUEUE("queue", true),
    BAR("", false),
    RATE("rate", true),
    BUSY("busy", true);

    final String header;
    final boolean right;

    Column(String header, boolean right) {
      this.header = header;
      this.right = right;
    }
  }

  /** The order in which columns give way to a narrow terminal. */
  private static final Column[] DROP_ORDER = {
    Column.BAR,
    Column.KIND,
    Column.FAILED,
    Column.EMITTED,
    Column.WORKERS,
    Column.BUSY,
    Column.QUEUE
  };

  private final int[] widths = new int[Column.values().length];

  /** Forgets the column widths, as for a new run. */
  public void reset() {
    Arrays.fill(widths, 0);
  }

  /**
   * The table for {@code stats}.
   *
   * @param stats the snapshot
   * @param rates rates over the last interval, already {@linkplain ProgressRates#update updated}
   *     with {@code stats}; unused for a final table
   * @param last whether this is the final snapshot: exact counts and lifetime averages
   * @param width the room on a line; lines are at most {@code width - 1} characters, so that a
   *     terminal never wraps them. {@code Integer.MAX_VALUE} for no limit
   * @return the lines, without line separators
   */
  public List<String> render(PipelineStats stats, ProgressRates rates, boolean last, int width) {
    List<StageStats> stages = stats.stages();
    Column[] columns = Column.values();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[columns.length];
    for (Column column : columns) {
      header[column.ordinal()] = column == Column.RATE && last ? "avg rate" : column.header;
    }
    rows.add(header);
    for (int i = 0; i < stages.size(); i++) {
      rows.add(cells(stages.get(i), i, rates, last));
    }
    for (String[] row : rows) {
      for (int c = 0; c < columns.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }

    int limit = width == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, width - 1);
    boolean[] shown = new boolean[columns.length];
    Arrays.fill(shown, true);
    for (Column drop : DROP_ORDER) {
      if (tableWidth(shown) <= limit) {
        break;
      }
      shown[drop.ordinal()] = false;
    }

    List<String> lines = new ArrayList<>(stages.size() + 3);
    String elapsed = ProgressFormat.duration(stats.elapsed());
    lines.add(
        last
            ? "pipeline " + stats.state() + " in " + elapsed
            : "pipeline " + stats.state() + ", " + elapsed + " elapsed");
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (Column column : columns) {
        if (!shown[column.ordinal()]) {
          continue;
        }
        if (!line.isEmpty()) {
          line.append(GAP);
        }
        pad(line, row[column.ordinal()], widths[column.ordinal()], column.right);
      }
      lines.add(line.toString());
    }
    lines.add(footer(stats.bottleneck()));
    List<String> fitted = new ArrayList<>(lines.size());
    for (String line : lines) {
      String trimmed = line.stripTrailing();
      fitted.add(trimmed.length() > limit ? trimmed.substring(0, limit).stripTrailing() : trimmed);
    }
    return fitted;
  }

  /**
   * The footer line for a bottleneck verdict.
   *
   * @param bottleneck the verdict, if any
   * @return the line
   */
  static String footer(Optional<Bottleneck> bottleneck) {
    return "bottleneck: " + bottleneck.map(Bottleneck::verdict).orElse("none yet");
  }

  private int tableWidth(boolean[] shown) {
    int total = 0;
    int count = 0;
    for (int c = 0; c < widths.length; c++) {
      if (shown[c]) {
        total += widths[c];
        count++;
      }
    }
    return total + GAP.length() * Math.max(0, count - 1);
  }

  private static String[] cells(StageStats stage, int index, ProgressRates rates, boolean last) {
    String[] cells = new String[Column.values().length];
    cells[Column.STAGE.ordinal()] = stage.name();
    cells[Column.KIND.ordinal()] = stage.kind();
    cells[Column.WORKERS.ordinal()] = stage.busyWorkers() + "/" + stage.workers();
    cells[Column.RECEIVED.ordinal()] = number(stage.taken(), last);
    cells[Column.EMITTED.ordinal()] = number(stage.emitted(), last);
    cells[Column.FAILED.ordinal()] = number(stage.failed(), last);
    cells[Column.QUEUE.ordinal()] = queue(stage, index, last);
    cells[Column.BAR.ordinal()] = bar(stage);
    cells[Column.RATE.ordinal()] =
        ProgressFormat.rate(last ? stage.throughput() : rates.rate(index)) + "/s";
    cells[Column.BUSY.ordinal()] =
        ProgressFormat.percent(last ? stage.utilisation() : rates.utilisation(index));
    return cells;
  }

  private static String number(long n, boolean exact) {
    return exact ? Long.toString(n) : ProgressFormat.count(n);
  }

  /**
   * A stage's input as {@code queued/capacity}: {@code -} for the source (it has no input), {@code
   * inf} for an unbounded capacity.
   */
  static String queue(StageStats stage, int index, boolean exact) {
    if (index == 0 && stage.capacity() == 0 && stage.queued() == 0) {
      return "-";
    }
    String capacity =
        stage.capacity() == Integer.MAX_VALUE ? "inf" : number(stage.capacity(), exact);
    return number(stage.queued(), exact) + "/" + capacity;
  }

  /** How full a bounded input is, as {@code [###.....]}; empty for other inputs. */
  static String bar(StageStats stage) {
    int capacity = stage.capacity();
    if (capacity <= 0 || capacity == Integer.MAX_VALUE) {
      return "";
    }
    int filled =
        (int)
            Math.min(
                BAR_WIDTH, Math.max(0, Math.round((double) stage.queued() * BAR_WIDTH / capacity)));
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
  }

  private static void pad(StringBuilder line, String cell, int width, boolean right) {
    int padding = width - cell.length();
    if (right) {
      line.repeat(' ', padding).append(cell);
    } else {
      line.append(cell).repeat(' ', padding);
    }
  }
}
