package dev.sluice.internal;

import java.time.Duration;
import java.util.Locale;

/** Short human forms of counts, rates and durations for progress output. */
public final class ProgressFormat {

  private static final String[] UNITS = {"k", "M", "G", "T", "P", "E"};

  private ProgressFormat() {}

  /**
   * A count in at most four significant characters plus a unit: {@code 999}, {@code 1.2k}, {@code
   * 12.3k}, {@code 123k}, {@code 3.4M}.
   *
   * @param n the count
   * @return its short form
   */
  public static String count(long n) {
    if (n < 0) {
      return "-" + (n == Long.MIN_VALUE ? scaled(-(double) n) : count(-n));
    }
    return n < 1000 ? Long.toString(n) : scaled(n);
  }

  /**
   * A rate per second: one decimal below 10 ({@code 2.5}), whole numbers below 1000 ({@code 98}),
   * then as {@link #count(long)} ({@code 1.2k}).
   *
   * @param perSecond the rate
   * @return its short form; {@code -} for a rate that is not a finite number
   */
  public static String rate(double perSecond) {
    if (Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
      return "-";
    }
    if (perSecond < 0) {
      return "-" + rate(-perSecond);
    }
    if (perSecond < 9.95) {
      return String.format(Locale.ROOT, "%.1f", perSecond);
    }
    if (perSecond < 999.5) {
      return Long.toString(Math.round(perSecond));
    }
    return scaled(perSecond);
  }

  /**
   * A duration: {@code 12.3s} below a minute (tenths truncated), {@code 4m05s} below an hour,
   * {@code 1h02m03s} above.
   *
   * @param duration the duration; negative counts as zero
   * @return its short form
   */
  public static String duration(Duration duration) {
    long millis = duration.isNegative() ? 0 : saturatedMillis(duration);
    if (millis < 60_000) {
      long tenths = millis / 100;
      return tenths / 10 + "." + tenths % 10 + "s";
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(
        Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }

  /**
   * A fraction as a whole percentage: {@code 0.756} is {@code 76%}.
   *
   * @param fraction the fraction
   * @return the percentage
   */
  public static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }

  private static String scaled(double value) {
    double scaled = value;
    for (String unit : UNITS) {
      scaled /= 1000;
      if (scaled < 99.95) {
        return String.format(Locale.ROOT, "%.1f%s", scaled, unit);
      }
      if (scaled < 999.5) {
        return String.format(Locale.ROOT, "%.0f%s", scaled, unit);
      }
    }
    return String.format(Locale.ROOT, "%.0f%s", scaled, UNITS[UNITS.length - 1]);
  }

  private static long saturatedMillis(Duration duration) {
    try {
      return duration.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Nanoseconds of {@code duration}, saturated at {@code Long.MAX_VALUE}.
   *
   * @param duration a non-negative duration
   * @return its nanoseconds
   */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
