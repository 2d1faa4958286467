package dev.sluice;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A running pipeline, from {@link RunnablePipeline#start()}.
 *
 * @param <R> the terminal's result type
 */
public interface PipelineHandle<R> {

  /**
   * Waits until the pipeline has ended and every one of its threads has ended.
   *
   * @return the result
   * @throws PipelineException if a stage failed (fail-fast), a dead-letter sink threw, or the
   *     pipeline timed out
   * @throws java.util.concurrent.CancellationException if the pipeline was {@linkplain #cancel()
   *     cancelled}
   * @throws InterruptedException if the calling thread is interrupted while it waits (the pipeline
   *     goes on)
   */
  PipelineResult<R> await() throws InterruptedException;

  /**
   * As {@link #await()}, waiting at most {@code timeout}.
   *
   * @param timeout how long to wait
   * @return the result
   * @throws TimeoutException if the pipeline has not ended in time (it goes on)
   * @throws PipelineException if a stage failed
   * @throws java.util.concurrent.CancellationException if the pipeline was cancelled
   * @throws InterruptedException if interrupted while waiting
   */
  PipelineResult<R> await(Duration timeout) throws InterruptedException, TimeoutException;

  /**
   * Stops the pipeline promptly: the source stops, workers are interrupted, channels cancelled, and
   * the items in them counted as discarded. Returns without waiting; {@link #await()} then throws
   * {@link java.util.concurrent.CancellationException} once every thread has ended. No effect once
   * the pipeline has ended.
   *
   * @return true if this call cancelled the pipeline
   */
  boolean cancel();

  /**
   * Whether the pipeline has ended (succeeded, failed or cancelled) and its threads with it.
   *
   * @return true once ended
   */
  boolean isDone();

  /**
   * A live snapshot of the pipeline's counters.
   *
   * @return the snapshot
   */
  PipelineStats stats();
}
