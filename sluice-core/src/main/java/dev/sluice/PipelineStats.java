package dev.sluice;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a pipeline: its state and each stage's counters, the source first.
 *
 * @param state the pipeline's state when the snapshot was taken
 * @param elapsed time since the pipeline started
 * @param stages per-stage counters, the source first and the terminal stage last
 */
public record PipelineStats(State state, Duration elapsed, List<StageStats> stages) {

  /** Where a pipeline is in its life. */
  public enum State {
    /** Started and not yet ended. */
    RUNNING,
    /** Every item went through; every thread has ended. */
    SUCCEEDED,
    /** A stage failed under fail-fast (or the pipeline timed out); every thread has ended. */
    FAILED,
    /** Cancelled by the user; every thread has ended. */
    CANCELLED
  }

  /**
   * Copies the list.
   *
   * @param state the state
   * @param elapsed the elapsed time
   * @param stages the stages
   */
  public PipelineStats {
    stages = List.copyOf(stages);
  }

  /**
   * The counters of the stage named {@code name}.
   *
   * @param name a stage name
   * @return its counters
   * @throws IllegalArgumentException if there is no such stage
   */
  public StageStats stage(String name) {
    for (StageStats stage : stages) {
      if (stage.name().equals(name)) {
        return stage;
      }
    }
    throw new IllegalArgumentException(
        "no stage named '" + name + "'; stages: " + stages.stream().map(StageStats::name).toList());
  }

  /**
   * Which stage limits throughput: the non-source stage with the highest utilisation, with whether
   * it is saturated (busy about 90% of the time or more with its input about 90% full or more) and
   * so would go faster with more workers. Empty until some stage has done work.
   *
   * @return the verdict
   */
  public Optional<Bottleneck> bottleneck() {
    StageStats busiest = null;
    for (StageStats stage : stages.subList(Math.min(1, stages.size()), stages.size())) {
      if (stage.busyTime().isZero()) {
        continue;
      }
      if (busiest == null || stage.utilisation() > busiest.utilisation()) {
        busiest = stage;
      }
    }
    if (busiest == null) {
      return Optional.empty();
    }
    double utilisation = busiest.utilisation();
    boolean inputFull =
        busiest.capacity() > 0
            && busiest.capacity() < Integer.MAX_VALUE
            && busiest.queued() >= 0.9 * busiest.capacity();
    boolean saturated = utilisation >= 0.9 && inputFull;
    String verdict =
        String.format(
            "%s limits throughput: %.0f%% busy, input %s; %s",
            busiest.name(),
            utilisation * 100,
            inputFull ? "full" : busiest.queued() + "/" + busiest.capacity(),
            saturated
                ? "more workers would help"
                : utilisation >= 0.9
                    ? "busy but not starved of input: upstream keeps up only just"
                    : "no stage is saturated; the source or the consumer sets the pace");
    return Optional.of(new Bottleneck(busiest.name(), utilisation, inputFull, saturated, verdict));
  }
}
