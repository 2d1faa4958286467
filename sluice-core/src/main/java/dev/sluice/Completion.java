package dev.sluice;

import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one input of {@link TaskGroup#mapConcurrent}: the input, its position in the input
 * sequence, and either the result or the failure. A failure is captured here, not thrown, so that
 * one bad input does not end the whole map.
 *
 * @param input the input
 * @param index its position among the inputs, from 0
 * @param result the result, when {@link #failure()} is null (may itself be null)
 * @param failure the failure of the function (or a {@link
 *     java.util.concurrent.CancellationException} if its task was cancelled), or null on success
 * @param <I> the input type
 * @param <O> the result type
 */
public record Completion<I, O>(
    I input, long index, @Nullable O result, @Nullable Throwable failure) {

  /**
   * Whether the function returned normally.
   *
   * @return true if there is no failure
   */
  public boolean succeeded() {
    return failure == null;
  }

  /**
   * The result, or the failure thrown as a {@link CompletionException}.
   *
   * @return the result
   * @throws CompletionException if the function failed; its cause is the failure
   */
  public @Nullable O resultOrThrow() {
    if (failure != null) {
      throw new CompletionException("input " + index + " (" + input + ") failed", failure);
    }
    return result;
  }
}
