package dev.sluice;

import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * A complete pipeline, source to terminal, ready to {@link #run()} or {@link #start()}. Returned by
 * {@link Pipeline#forEach forEach}, {@link Pipeline#toList() toList} and {@link Pipeline#into
 * into}. Options return a new {@code RunnablePipeline}; a pipeline whose source is an {@code
 * Iterator}, {@code Stream} or {@code Channel} can run only once.
 *
 * @param <R> the terminal's result type
 */
public interface RunnablePipeline<R> {

  /**
   * Runs the pipeline on the calling thread's behalf and waits until it has ended and every one of
   * its threads with it. If the calling thread is interrupted, the pipeline is cancelled and this
   * throws {@link InterruptedException} once its threads have ended.
   *
   * @return the result and counters
   * @throws PipelineException if a stage failed (fail-fast), a dead-letter sink threw, or the
   *     pipeline timed out
   * @throws InterruptedException if interrupted
   */
  PipelineResult<R> run() throws InterruptedException;

  /**
   * Starts the pipeline and returns at once.
   *
   * @return a handle to await, cancel or watch the pipeline
   */
  PipelineHandle<R> start();

  /**
   * Fails the pipeline if it has not ended within {@code timeout} of starting: everything is
   * stopped as by a cancel and {@code run()}/{@code await()} throw a {@link PipelineException}
   * whose cause is a {@link java.util.concurrent.TimeoutException}.
   *
   * @param timeout the time limit, positive
   * @return a new runnable pipeline with the limit
   */
  RunnablePipeline<R> timeout(Duration timeout);

  /**
   * Calls {@code listener} with a snapshot every {@code period} while the pipeline runs, and once
   * more when it ends. May be called more than once to add listeners.
   *
   * @param period the time between snapshots, positive
   * @param listener the listener, for example {@link Progress#auto(java.io.PrintStream)}
   * @return a new runnable pipeline with the listener
   */
  RunnablePipeline<R> progress(Duration period, ProgressListener listener);

  /**
   * Calls {@code listener} with the stage name and the item for every item the pipeline drops
   * because it was cancelled or failed: items left in a stage's input, in a worker's hands, or held
   * for reordering. With this and the stages' error policies, every source item is accounted for.
   * Called on the thread that drops the item; it should be quick and must not throw.
   *
   * @param listener receives (stage name, item)
   * @return a new runnable pipeline with the listener
   */
  RunnablePipeline<R> onDiscard(BiConsumer<String, Object> listener);
}
