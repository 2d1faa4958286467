package dev.sluice.internal;

import dev.sluice.PipelineStats;
import dev.sluice.StageStats;
import java.util.List;

/**
 * Per-stage rates over the interval between two consecutive snapshots: items received per second,
 * and the fraction of the workers' time spent busy. Owned by one renderer and used from the single
 * thread that calls it (a {@link dev.sluice.ProgressListener} is never called concurrently), so it
 * holds no lock.
 */
public final class ProgressRates {

  private long lastElapsedNanos;
  private long[] lastReceived = new long[0];
  private long[] lastBusyNanos = new long[0];
  private double[] rates = new double[0];
  private double[] utilisations = new double[0];

  /**
   * Moves to {@code stats}: the rates become those between the previous snapshot (or the start of
   * the run, for the first) and this one. A snapshot taken at the same elapsed time as the previous
   * one leaves the rates as they were; one taken earlier (a new run) starts afresh.
   *
   * @param stats the new snapshot
   */
  public void update(PipelineStats stats) {
    List<StageStats> stages = stats.stages();
    long now = ProgressFormat.saturatedNanos(stats.elapsed());
    if (stages.size() != lastReceived.length || now < lastElapsedNanos) {
      reset(stages.size());
    }
    long interval = now - lastElapsedNanos;
    if (interval <= 0) {
      return;
    }
    for (int i = 0; i < stages.size(); i++) {
      StageStats stage = stages.get(i);
      long busy = ProgressFormat.saturatedNanos(stage.busyTime());
      rates[i] = (stage.taken() - lastReceived[i]) * 1e9 / interval;
      double capacity = (double) stage.workers() * interval;
      utilisations[i] = capacity > 0 ? clamp((busy - lastBusyNanos[i]) / capacity) : 0;
      lastReceived[i] = stage.taken();
      lastBusyNanos[i] = busy;
    }
    lastElapsedNanos = now;
  }

  /**
   * Items received per second by stage {@code index} over the last interval.
   *
   * @param index the stage's position, the source first
   * @return the rate, 0 before any snapshot
   */
  public double rate(int index) {
    return index < rates.length ? rates[index] : 0;
  }

  /**
   * The fraction of stage {@code index}'s worker time spent busy over the last interval.
   *
   * @param index the stage's position, the source first
   * @return between 0 and 1
   */
  public double utilisation(int index) {
    return index < utilisations.length ? utilisations[index] : 0;
  }

  /** Forgets every snapshot, as for a new run. */
  public void reset() {
    reset(0);
  }

  private void reset(int stages) {
    lastElapsedNanos = 0;
    lastReceived = new long[stages];
    lastBusyNanos = new long[stages];
    rates = new double[stages];
    utilisations = new double[stages];
  }

  private static double clamp(double fraction) {
    return Math.max(0, Math.min(1, fraction));
  }
}
