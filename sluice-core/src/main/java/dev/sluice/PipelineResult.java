package dev.sluice;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a pipeline that ran to completion produced, and its counters.
 *
 * @param value the terminal's result: the list for {@link Pipeline#toList()}, null for {@link
 *     Pipeline#forEach forEach} and {@link Pipeline#into into}
 * @param stats the final counters (state {@link PipelineStats.State#SUCCEEDED})
 * @param <R> the terminal's result type
 */
public record PipelineResult<R>(@Nullable R value, PipelineStats stats) {

  /**
   * How long the pipeline ran.
   *
   * @return the elapsed time
   */
  public Duration elapsed() {
    return stats.elapsed();
  }

  /**
   * Items pulled from the source.
   *
   * @return the count
   */
  public long sourceItems() {
    return stats.stages().get(0).received();
  }

  /**
   * Items the terminal stage consumed (or sent on, for {@code into}).
   *
   * @return the count
   */
  public long delivered() {
    return stats.stages().get(stats.stages().size() - 1).succeeded();
  }

  /**
   * Items given up on by a {@code skip} or {@code deadLetter} policy, over all stages.
   *
   * @return the count
   */
  public long failed() {
    return stats.stages().stream().mapToLong(StageStats::failed).sum();
  }

  /**
   * Items dropped by filters, over all stages.
   *
   * @return the count
   */
  public long filtered() {
    return stats.stages().stream().mapToLong(StageStats::filtered).sum();
  }

  /**
   * The counters of the stage named {@code name}.
   *
   * @param name the stage's name
   * @return its counters
   * @throws IllegalArgumentException if there is no such stage
   */
  public StageStats stage(String name) {
    return stats.stage(name);
  }
}
