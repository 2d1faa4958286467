package dev.sluice;

import java.io.Serial;
import org.jspecify.annotations.Nullable;

/**
 * A pipeline failed: a stage's function threw under the {@linkplain ErrorPolicy#failFast()
 * fail-fast} policy, a dead-letter sink threw, or the pipeline timed out. The cause is the first
 * failure; failures that happened while the pipeline was stopping are attached as {@linkplain
 * #getSuppressed() suppressed}. By the time this is thrown every thread of the pipeline has ended.
 */
public final class PipelineException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /** The name of the stage that failed first, or null when the pipeline failed as a whole. */
  private final @Nullable String stage;

  private final transient @Nullable Object item;
  private final transient @Nullable PipelineStats stats;

  /**
   * Creates the exception.
   *
   * @param message the message
   * @param stage the failing stage, or null when no stage failed (a timeout)
   * @param item the item the stage failed on, or null
   * @param cause the first failure
   * @param stats the pipeline's counters when it ended, or null
   */
  public PipelineException(
      String message,
      @Nullable String stage,
      @Nullable Object item,
      Throwable cause,
      @Nullable PipelineStats stats) {
    super(message, cause);
    this.stage = stage;
    this.item = item;
    this.stats = stats;
  }

  /**
   * The name of the stage that failed first.
   *
   * @return the stage, or null when the pipeline failed as a whole (timed out)
   */
  public @Nullable String stage() {
    return stage;
  }

  /**
   * The item that stage failed on.
   *
   * @return the item, or null
   */
  public @Nullable Object item() {
    return item;
  }

  /**
   * The pipeline's counters when it ended: what was delivered, failed and discarded.
   *
   * @return the counters, or null if not known
   */
  public @Nullable PipelineStats stats() {
    return stats;
  }
}
