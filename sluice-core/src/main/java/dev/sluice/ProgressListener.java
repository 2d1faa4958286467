package dev.sluice;

/**
 * Receives snapshots of a running pipeline at a fixed period, and a last one when it ends. Called
 * on one thread of the pipeline, never concurrently with itself; a slow listener delays only its
 * own next snapshot. If it throws, it is not called again and the pipeline goes on.
 *
 * <pre>{@code
 * pipeline.progress(Duration.ofSeconds(1), stats -> metrics.record(stats))
 * }</pre>
 *
 * @see Progress
 */
@FunctionalInterface
public interface ProgressListener {

  /**
   * A snapshot while the pipeline runs.
   *
   * @param stats the snapshot
   */
  void onProgress(PipelineStats stats);

  /**
   * The final snapshot, once every thread of the pipeline has ended. Calls {@link #onProgress} by
   * default.
   *
   * @param stats the final snapshot; its state says how the pipeline ended
   */
  default void onFinish(PipelineStats stats) {
    onProgress(stats);
  }
}
