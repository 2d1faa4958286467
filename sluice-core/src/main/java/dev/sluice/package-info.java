/**
 * The public API of sluice.
 *
 * <ul>
 *   <li>{@link dev.sluice.Channel}: a bounded, closable hand-off between threads ({@link
 *       dev.sluice.Sender}, {@link dev.sluice.ChannelClosedException}).
 *   <li>{@link dev.sluice.TaskGroup}: tasks that submit tasks, with exact completion and nested
 *       waits that never deadlock ({@link dev.sluice.Task}, {@link dev.sluice.TaskGroupException},
 *       {@link dev.sluice.FailurePolicy}, {@link dev.sluice.Backoff}, {@link
 *       dev.sluice.Completion}, {@link dev.sluice.TaskGroupStats}).
 *   <li>{@link dev.sluice.Pipeline}: named stages of workers between channels, with clean shutdown,
 *       backpressure, ordering and error policies ({@link dev.sluice.Stage}, {@link
 *       dev.sluice.ErrorPolicy}, {@link dev.sluice.FailedItem}, {@link dev.sluice.Emitter}, {@link
 *       dev.sluice.Expansion}, {@link dev.sluice.RunnablePipeline}, {@link
 *       dev.sluice.PipelineHandle}, {@link dev.sluice.PipelineResult}, {@link
 *       dev.sluice.PipelineException}); its statistics and live progress ({@link
 *       dev.sluice.PipelineStats}, {@link dev.sluice.StageStats}, {@link dev.sluice.Bottleneck},
 *       {@link dev.sluice.ProgressListener}, {@link dev.sluice.Progress}, {@link
 *       dev.sluice.Timeline}).
 * </ul>
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
