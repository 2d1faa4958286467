package dev.sluice;

import java.util.Objects;

/**
 * An item that a stage gave up on, as handed to a {@link ErrorPolicy#deadLetter dead-letter} sink
 * and named by a {@link PipelineException}.
 *
 * @param item the stage's input item that failed
 * @param stage the stage's name
 * @param cause the last failure
 * @param attempts how many times the stage tried the item (1 without retries)
 */
public record FailedItem(Object item, String stage, Throwable cause, int attempts) {

  /**
   * Checks the components.
   *
   * @param item the stage's input item that failed
   * @param stage the stage's name
   * @param cause the last failure
   * @param attempts how many times the stage tried the item (1 without retries)
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if {@code attempts} is not positive
   */
  public FailedItem {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(cause, "cause");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
    }
  }
}
