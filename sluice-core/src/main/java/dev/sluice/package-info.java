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
 * </ul>
 */
@NullMarked
package dev.sluice;

import org.jspecify.annotations.NullMarked;
