package dev.sluice.internal;

import dev.sluice.PipelineStats;
import dev.sluice.Timeline.Sample;
import dev.sluice.Timeline.StageSample;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Draws a {@link dev.sluice.Timeline}'s samples as a standalone SVG document.
 *
 * <p>Layout, top to bottom: a title and a subtitle (stages, samples, duration, end state, peak work
 * in flight); a stacked area chart of every stage's busy workers with a legend on its right; then
 * one panel per stage with its busy workers as a filled area (scaled to its worker count, so a
 * panel filled to the top is a saturated stage) and its queued items as a grey line (scaled to its
 * input's capacity, right axis). All charts share the time axis, in seconds since the start.
 *
 * <p>Series carry {@code class} ({@code stacked}, {@code busy}, {@code busy-area}, {@code queued})
 * and {@code data-stage} attributes so that the document can be checked by a program. Every text is
 * escaped for XML; characters XML 1.0 cannot hold become U+FFFD. More than {@link #MAX_POINTS}
 * samples are averaged in equal runs down to at most that many points.
 */
public final class TimelineSvg {

  /** The most points a series gets; more samples are averaged down. */
  public static final int MAX_POINTS = 2000;

  private static final String[] PALETTE = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
  };

  private static final int WIDTH = 960;
  private static final int LEFT = 64;
  private static final int RIGHT = 190;
  private static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
  private static final int STACK_TOP = 96;
  private static final int STACK_HEIGHT = 180;
  private static final int PANELS_TOP = STACK_TOP + STACK_HEIGHT + 96;
  private static final int PANEL_HEIGHT = 64;
  private static final int PANEL_STEP = PANEL_HEIGHT + 40;
  private static final int NAME_CHARS = 24;

  private TimelineSvg() {}

  /**
   * The SVG document for {@code samples}.
   *
   * @param samples the samples, oldest first
   * @param title the title, or null for one naming the stages
   * @param state how the run ended, or null if it has not
   * @return the document
   */
  public static String render(
      List<Sample> samples, @Nullable String title, PipelineStats.@Nullable State state) {
    Series series = Series.of(samples);
    int stages = series.names.length;
    int height = stages == 0 ? 140 : PANELS_TOP + stages * PANEL_STEP + 24;
    StringBuilder svg = new StringBuilder(16_384);
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    String heading = title != null ? title : defaultTitle(series.names);
    svg.append("<title>").append(escape(heading)).append("</title>\n");
    text(svg, LEFT, 30, "title", "font-size=\"18\" font-weight=\"bold\"", heading);
    if (stages == 0 || samples.isEmpty()) {
      text(svg, LEFT, 56, "subtitle", "fill=\"#555555\"", "no samples recorded");
      return svg.append("</svg>\n").toString();
    }
    text(svg, LEFT, 52, "subtitle", "fill=\"#555555\"", subtitle(samples, series, state));

    double seconds = series.end > 0 ? series.end : 1;
    Axis time = Axis.of(seconds);
    stacked(svg, series, time);
    text(
        svg,
        LEFT,
        PANELS_TOP - 48,
        "section",
        "font-size=\"14\" font-weight=\"bold\"",
        "Per stage");
    legendKey(svg, LEFT + 80, PANELS_TOP - 48);
    for (int k = 0; k < stages; k++) {
      panel(svg, series, k, PANELS_TOP + k * PANEL_STEP, time, k == stages - 1);
    }
    return svg.append("</svg>\n").toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Charts

  private static void stacked(StringBuilder svg, Series series, Axis time) {
    int n = series.times.length;
    double[] totals = new double[n];
    for (double[] busy : series.busy) {
      for (int i = 0; i < n; i++) {
        totals[i] += busy[i];
      }
    }
    Axis count = Axis.ofCount(max(totals));
    int top = STACK_TOP;
    int bottom = STACK_TOP + STACK_HEIGHT;
    text(
        svg,
        LEFT,
        top - 14,
        "section",
        "font-size=\"14\" font-weight=\"bold\"",
        "Work in flight: busy workers, stacked by stage");
    frame(svg, top, STACK_HEIGHT, time);
    for (int i = 0; i * count.step <= count.max + 1e-9; i++) {
      double tick = i * count.step;
      double y = bottom - tick / count.max * STACK_HEIGHT;
      if (tick > 0) {
        line(svg, LEFT, y, LEFT + PLOT_WIDTH, y, "stroke=\"#e6e6e6\"");
      }
      text(svg, LEFT - 6, y + 4, "y-tick", "text-anchor=\"end\"", count.label(tick));
    }
    double[] below = new double[n];
    for (int k = 0; k < series.names.length; k++) {
      double[] above = new double[n];
      for (int i = 0; i < n; i++) {
        above[i] = below[i] + series.busy[k][i];
      }
      svg.append("<polygon class=\"stacked\" data-stage=\"")
          .append(escape(series.names[k]))
          .append("\" fill=\"")
          .append(color(k))
          .append("\" fill-opacity=\"0.85\" stroke=\"none\" points=\"");
      for (int i = 0; i < n; i++) {
        point(svg, x(series.times[i], time), bottom - above[i] / count.max * STACK_HEIGHT);
      }
      for (int i = n - 1; i >= 0; i--) {
        point(svg, x(series.times[i], time), bottom - below[i] / count.max * STACK_HEIGHT);
      }
      svg.setLength(svg.length() - 1);
      svg.append("\"><title>").append(escape(series.names[k])).append("</title></polygon>\n");
      below = above;
    }
    border(svg, top, STACK_HEIGHT);
    timeTicks(svg, time, bottom);
    // Legend, on the right of the stacked chart: the top series first, as it is drawn.
    int legendX = LEFT + PLOT_WIDTH + 18;
    int rows = series.names.length;
    for (int row = 0; row < rows; row++) {
      int k = rows - 1 - row;
      int y = top + 4 + row * 20;
      svg.append("<rect class=\"legend\" x=\"")
          .append(legendX)
          .append("\" y=\"")
          .append(y)
          .append("\" width=\"12\" height=\"12\" fill=\"")
          .append(color(k))
          .append("\"/>\n");
      text(svg, legendX + 18, y + 10, "legend", "", shorten(series.names[k]));
    }
  }

  private static void panel(
      StringBuilder svg, Series series, int k, int top, Axis time, boolean lastPanel) {
    int n = series.times.length;
    int bottom = top + PANEL_HEIGHT;
    double workers = Math.max(1, Math.max(series.workers[k], max(series.busy[k])));
    boolean bounded = series.capacity[k] > 0 && series.capacity[k] < Integer.MAX_VALUE;
    boolean noInput = series.capacity[k] == 0 && max(series.queued[k]) == 0;
    double queueScale = bounded ? series.capacity[k] : Math.max(1, max(series.queued[k]));
    String name = series.names[k];

    svg.append("<g class=\"panel\" data-stage=\"").append(escape(name)).append("\">\n");
    text(svg, LEFT, top - 8, "panel-title", "font-weight=\"bold\"", shorten(name));
    text(
        svg,
        LEFT + 8 + 7.2 * shorten(name).length(),
        top - 8,
        "panel-note",
        "fill=\"#555555\"",
        panelNote(series, k));
    frame(svg, top, PANEL_HEIGHT, time);

    svg.append("<polygon class=\"busy-area\" data-stage=\"")
        .append(escape(name))
        .append("\" fill=\"")
        .append(color(k))
        .append("\" fill-opacity=\"0.35\" stroke=\"none\" points=\"");
    point(svg, x(series.times[0], time), bottom);
    for (int i = 0; i < n; i++) {
      point(svg, x(series.times[i], time), bottom - series.busy[k][i] / workers * PANEL_HEIGHT);
    }
    point(svg, x(series.times[n - 1], time), bottom);
    svg.setLength(svg.length() - 1);
    svg.append("\"/>\n");

    if (!noInput) {
      polyline(
          svg,
          "queued",
          name,
          "stroke=\"#666666\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"",
          series.times,
          series.queued[k],
          queueScale,
          bottom,
          time);
    }
    polyline(
        svg,
        "busy",
        name,
        "stroke=\"" + color(k) + "\" stroke-width=\"1.6\"",
        series.times,
        series.busy[k],
        workers,
        bottom,
        time);
    border(svg, top, PANEL_HEIGHT);

    text(svg, LEFT - 6, bottom + 4, "y-tick", "text-anchor=\"end\"", "0");
    text(svg, LEFT - 6, top + 10, "y-tick", "text-anchor=\"end\"", integer(workers));
    if (noInput) {
      text(svg, LEFT + PLOT_WIDTH + 6, bottom + 4, "q-tick", "fill=\"#666666\"", "no input queue");
    } else {
      String capacity = bounded ? integer(queueScale) : "max " + integer(queueScale);
      text(svg, LEFT + PLOT_WIDTH + 6, bottom + 4, "q-tick", "fill=\"#666666\"", "0");
      text(
          svg, LEFT + PLOT_WIDTH + 6, top + 10, "q-tick", "fill=\"#666666\"", capacity + " queued");
    }
    if (lastPanel) {
      timeTicks(svg, time, bottom);
      text(
          svg,
          LEFT + PLOT_WIDTH / 2.0,
          bottom + 34,
          "x-label",
          "text-anchor=\"middle\"",
          "seconds since the pipeline started");
    }
    svg.append("</g>\n");
  }

  private static void legendKey(StringBuilder svg, int x, int y) {
    svg.append("<rect x=\"")
        .append(x)
        .append("\" y=\"")
        .append(y - 10)
        .append(
            "\" width=\"12\" height=\"12\" fill=\"#4e79a7\" fill-opacity=\"0.35\""
                + " stroke=\"#4e79a7\"/>\n");
    text(svg, x + 18, y, "key", "", "busy workers (left axis: 0 to the stage's workers)");
    line(
        svg,
        x + 330,
        y - 4,
        x + 352,
        y - 4,
        "stroke=\"#666666\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"");
    text(svg, x + 358, y, "key", "", "queued input (right axis: 0 to capacity)");
  }

  private static void polyline(
      StringBuilder svg,
      String kind,
      String name,
      String style,
      double[] times,
      double[] values,
      double scale,
      double bottom,
      Axis time) {
    svg.append("<polyline class=\"")
        .append(kind)
        .append("\" data-stage=\"")
        .append(escape(name))
        .append("\" fill=\"none\" ")
        .append(style)
        .append(" points=\"");
    for (int i = 0; i < times.length; i++) {
      point(svg, x(times[i], time), bottom - values[i] / scale * PANEL_HEIGHT);
    }
    svg.setLength(svg.length() - 1);
    svg.append("\"/>\n");
  }

  private static void frame(StringBuilder svg, int top, int height, Axis time) {
    plotRect(svg, top, height, "fill=\"#fafafa\"");
    for (int i = 1; i * time.step <= time.max + 1e-9; i++) {
      double x = x(i * time.step, time);
      line(svg, x, top, x, top + height, "stroke=\"#e6e6e6\"");
    }
  }

  private static void border(StringBuilder svg, int top, int height) {
    plotRect(svg, top, height, "fill=\"none\" stroke=\"#999999\"");
  }

  /** A rectangle the width of the plot area, from {@code top}, with these attributes. */
  private static void plotRect(StringBuilder svg, int top, int height, String attributes) {
    svg.append("<rect x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(top)
        .append("\" width=\"")
        .append(PLOT_WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" ")
        .append(attributes)
        .append("/>\n");
  }

  private static void timeTicks(StringBuilder svg, Axis time, int bottom) {
    for (int i = 0; i * time.step <= time.max + 1e-9; i++) {
      double tick = i * time.step;
      double x = x(tick, time);
      line(svg, x, bottom, x, bottom + 4, "stroke=\"#999999\"");
      text(svg, x, bottom + 16, "x-tick", "text-anchor=\"middle\"", time.label(tick) + "s");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Texts

  private static String defaultTitle(String[] names) {
    return names.length == 0
        ? "Pipeline timeline"
        : "Pipeline timeline: "
            + String.join(
                " \u2192 ", java.util.Arrays.stream(names).map(TimelineSvg::shorten).toList());
  }

  private static String subtitle(
      List<Sample> samples, Series series, PipelineStats.@Nullable State state) {
    int peak = 0;
    for (Sample sample : samples) {
      int total = 0;
      for (StageSample stage : sample.stages()) {
        total += stage.busyWorkers();
      }
      peak = Math.max(peak, total);
    }
    return series.names.length
        + " stages, "
        + samples.size()
        + " samples over "
        + ProgressFormat.duration(samples.get(samples.size() - 1).elapsed())
        + (state == null ? ", still running" : ", " + state)
        + "; peak work in flight "
        + peak
        + " items";
  }

  private static String panelNote(Series series, int k) {
    double[] busy = series.busy[k];
    double sum = 0;
    for (double b : busy) {
      sum += b;
    }
    return String.format(
        Locale.ROOT,
        "%s, %d worker%s: busy %s on average, peak %s",
        series.kinds[k],
        series.workers[k],
        series.workers[k] == 1 ? "" : "s",
        decimal(sum / busy.length),
        integer(max(busy)));
  }

  private static String shorten(String name) {
    return name.length() <= NAME_CHARS ? name : name.substring(0, NAME_CHARS - 1) + "\u2026";
  }

  /**
   * {@code text} escaped for XML character data and attribute values; characters XML 1.0 cannot
   * hold (most controls, lone surrogates, U+FFFE, U+FFFF) become U+FFFD.
   *
   * @param text any text
   * @return the escaped text
   */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                  boolean valid =
                      c == 0x9
                          || c == 0xA
                          || c == 0xD
                          || (c >= 0x20 && c <= 0xD7FF)
                          || (c >= 0xE000 && c <= 0xFFFD)
                          || c >= 0x10000;
                  out.appendCodePoint(valid ? c : 0xFFFD);
                }
              }
            });
    return out.toString();
  }

  private static void text(
      StringBuilder svg, double x, double y, String kind, String style, String content) {
    svg.append("<text class=\"")
        .append(kind)
        .append("\" x=\"")
        .append(number(x))
        .append("\" y=\"")
        .append(number(y))
        .append('"');
    if (!style.isEmpty()) {
      svg.append(' ').append(style);
    }
    svg.append('>').append(escape(content)).append("</text>\n");
  }

  private static void line(
      StringBuilder svg, double x1, double y1, double x2, double y2, String style) {
    svg.append("<line x1=\"")
        .append(number(x1))
        .append("\" y1=\"")
        .append(number(y1))
        .append("\" x2=\"")
        .append(number(x2))
        .append("\" y2=\"")
        .append(number(y2))
        .append("\" ")
        .append(style)
        .append("/>\n");
  }

  private static void point(StringBuilder svg, double x, double y) {
    svg.append(number(x)).append(',').append(number(y)).append(' ');
  }

  private static double x(double seconds, Axis time) {
    return LEFT + seconds / time.max * PLOT_WIDTH;
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static String integer(double value) {
    return Long.toString(Math.round(value));
  }

  private static String decimal(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static String color(int k) {
    return PALETTE[k % PALETTE.length];
  }

  private static double max(double[] values) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    return max;
  }

  // ---------------------------------------------------------------------------------------------
  // Data

  /** The samples as arrays per stage, averaged down to at most {@link #MAX_POINTS} points. */
  private record Series(
      String[] names,
      String[] kinds,
      int[] workers,
      int[] capacity,
      double[] times,
      double[][] busy,
      double[][] queued,
      double end) {

    static Series of(List<Sample> samples) {
      if (samples.isEmpty()) {
        return new Series(
            new String[0],
            new String[0],
            new int[0],
            new int[0],
            new double[0],
            new double[0][],
            new double[0][],
            0);
      }
      List<StageSample> first = samples.get(0).stages();
      int stages = first.size();
      String[] names = new String[stages];
      String[] kinds = new String[stages];
      int[] workers = new int[stages];
      int[] capacity = new int[stages];
      for (int k = 0; k < stages; k++) {
        names[k] = first.get(k).name();
        kinds[k] = first.get(k).kind();
        workers[k] = first.get(k).workers();
        capacity[k] = first.get(k).capacity();
      }
      int n = samples.size();
      int run = (n + MAX_POINTS - 1) / MAX_POINTS;
      int points = (n + run - 1) / run;
      double[] times = new double[points];
      double[][] busy = new double[stages][points];
      double[][] queued = new double[stages][points];
      for (int p = 0; p < points; p++) {
        int from = p * run;
        int to = Math.min(n, from + run);
        for (int i = from; i < to; i++) {
          Sample sample = samples.get(i);
          times[p] += seconds(sample.elapsed());
          List<StageSample> at = sample.stages();
          for (int k = 0; k < Math.min(stages, at.size()); k++) {
            busy[k][p] += at.get(k).busyWorkers();
            queued[k][p] += at.get(k).queued();
          }
        }
        int size = to - from;
        times[p] /= size;
        for (int k = 0; k < stages; k++) {
          busy[k][p] /= size;
          queued[k][p] /= size;
        }
      }
      return new Series(
          names,
          kinds,
          workers,
          capacity,
          times,
          busy,
          queued,
          seconds(samples.get(n - 1).elapsed()));
    }

    private static double seconds(Duration duration) {
      return ProgressFormat.saturatedNanos(duration) / 1e9;
    }
  }

  /** A linear axis from 0 to {@code max} with ticks every {@code step}. */
  private record Axis(double max, double step) {

    /** About 5 to 10 ticks over {@code [0, extent]}, each 1, 2 or 5 times a power of ten. */
    static Axis of(double extent) {
      double step = niceStep(extent / 10);
      return new Axis(Math.ceil(extent / step - 1e-9) * step, step);
    }

    /** Whole-number ticks over {@code [0, peak]}, at least {@code [0, 1]}. */
    static Axis ofCount(double peak) {
      double top = Math.max(1, Math.ceil(peak));
      double step = Math.max(1, niceStep(top / 4));
      return new Axis(Math.ceil(top / step) * step, step);
    }

    private static double niceStep(double rough) {
      double power = Math.pow(10, Math.floor(Math.log10(rough)));
      double fraction = rough / power;
      return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    /** {@code value} with as few decimals as it needs, at most as many as the step has. */
    String label(double value) {
      int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
      String label = String.format(Locale.ROOT, "%." + decimals + "f", value);
      if (label.indexOf('.') >= 0) {
        label = label.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      return label;
    }
  }
}
