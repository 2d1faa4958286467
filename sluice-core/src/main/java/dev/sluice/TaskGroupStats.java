package dev.sluice;

/**
 * A snapshot of a {@link TaskGroup}'s counters.
 *
 * @param submitted tasks submitted so far
 * @param running tasks running now (each holds one of the group's {@code maxConcurrency} slots; a
 *     task waiting for another task of its group gives its slot back and is not counted)
 * @param pending tasks submitted and not yet finished (queued, running or waiting)
 * @param completed tasks that finished with a result
 * @param failed tasks that finished with a failure (after any retries)
 * @param retried retry attempts made
 * @param cancelled tasks cancelled before or while running
 */
public record TaskGroupStats(
    long submitted,
    int running,
    long pending,
    long completed,
    long failed,
    long retried,
    long cancelled) {}
