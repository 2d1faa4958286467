package dev.sluice;

/**
 * Where a stage function sends its output items: the next stage's input, or a buffer when the stage
 * is ordered. {@link #emit} waits while the next stage's input is full (backpressure), so a
 * function that emits many items never races ahead of its consumers.
 *
 * <p>An emitter belongs to one invocation of a stage function: use it only on the thread that runs
 * the function and only until the function returns.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Emitter<T> {

  /**
   * Sends {@code item} downstream, waiting while the next stage's input is full.
   *
   * @param item the item, not null
   * @throws InterruptedException if the pipeline is cancelled (or the thread interrupted) while it
   *     waits
   * @throws ChannelClosedException if the pipeline was cancelled or failed: stop emitting
   * @throws NullPointerException if {@code item} is null
   */
  void emit(T item) throws InterruptedException;
}
