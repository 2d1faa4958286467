package dev.sluice;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What a pipeline stage does when its function throws for an item. Set per stage with {@link
 * Stage#onError(ErrorPolicy)}; the default is {@link #failFast()}.
 *
 * <pre>{@code
 * Stage.workers(8).onError(
 *     ErrorPolicy.retry(3, Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)),
 *         ErrorPolicy.deadLetter(failed -> log.warn("gave up on {}", failed))))
 * }</pre>
 *
 * <p>Whatever the policy, an item is never lost silently: it is emitted, filtered out, or counted
 * as failed in the stage's {@link StageStats} (and, under {@code failFast}, named by the {@link
 * PipelineException}). A failure caused by the pipeline being cancelled is not a failure of the
 * item: such items are counted as {@linkplain StageStats#discarded() discarded}.
 */
public sealed interface ErrorPolicy {

  /**
   * The first failure cancels the whole pipeline: workers are interrupted, channels closed with the
   * cause, and {@code run()}/{@code await()} throw a {@link PipelineException} naming the stage and
   * the item, with later failures attached as suppressed. The default.
   *
   * @return the fail-fast policy
   */
  static ErrorPolicy failFast() {
    return FailFast.INSTANCE;
  }

  /**
   * Counts the failure and goes on with the next item.
   *
   * @return the skip policy
   */
  static ErrorPolicy skip() {
    return Skip.INSTANCE;
  }

  /**
   * Counts the failure, hands the item with its stage, cause and attempts to {@code sink}, and goes
   * on. The sink is called on the worker's thread; if it throws, the pipeline fails as under {@link
   * #failFast()}.
   *
   * @param sink receives each failed item
   * @return a dead-letter policy
   */
  static ErrorPolicy deadLetter(Consumer<? super FailedItem> sink) {
    return new DeadLetter(sink);
  }

  /**
   * Tries an item up to {@code maxAttempts} times in all, waiting {@code backoff.delay(n)} before
   * retry {@code n}, then fails the pipeline.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param backoff the delay before each retry
   * @return a retry policy
   */
  static Retry retry(int maxAttempts, Backoff backoff) {
    return new Retry(maxAttempts, backoff, t -> true, failFast());
  }

  /**
   * Tries an item up to {@code maxAttempts} times in all, waiting {@code backoff.delay(n)} before
   * retry {@code n}, then applies {@code then}.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param backoff the delay before each retry
   * @param then what to do when the attempts are used up: fail fast, skip or dead-letter
   * @return a retry policy
   */
  static Retry retry(int maxAttempts, Backoff backoff, ErrorPolicy then) {
    return new Retry(maxAttempts, backoff, t -> true, then);
  }

  /**
   * The default: the first failure fails the pipeline.
   *
   * @see ErrorPolicy#failFast()
   */
  enum FailFast implements ErrorPolicy {
    /** The one instance. */
    INSTANCE
  }

  /**
   * Count the failure and continue.
   *
   * @see ErrorPolicy#skip()
   */
  enum Skip implements ErrorPolicy {
    /** The one instance. */
    INSTANCE
  }

  /**
   * Count the failure, give it to a sink, and continue.
   *
   * @param sink receives each failed item
   * @see ErrorPolicy#deadLetter(Consumer)
   */
  record DeadLetter(Consumer<? super FailedItem> sink) implements ErrorPolicy {
    /**
     * Checks the sink.
     *
     * @param sink receives each failed item
     * @throws NullPointerException if {@code sink} is null
     */
    public DeadLetter {
      Objects.requireNonNull(sink, "sink");
    }
  }

  /**
   * Retry, then apply another policy.
   *
   * @param maxAttempts attempts in all, at least 1
   * @param backoff the delay before each retry
   * @param retryOn which failures are retried; others go straight to {@code then}
   * @param then what to do when the attempts are used up (not itself a retry)
   * @see ErrorPolicy#retry(int, Backoff, ErrorPolicy)
   */
  record Retry(
      int maxAttempts, Backoff backoff, Predicate<? super Throwable> retryOn, ErrorPolicy then)
      implements ErrorPolicy {
    /**
     * Checks the components.
     *
     * @param maxAttempts attempts in all, at least 1
     * @param backoff the delay before each retry
     * @param retryOn which failures are retried; others go straight to {@code then}
     * @param then what to do when the attempts are used up (not itself a retry)
     * @throws IllegalArgumentException if {@code maxAttempts < 1} or {@code then} is a retry
     * @throws NullPointerException if a component is null
     */
    public Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      Objects.requireNonNull(backoff, "backoff");
      Objects.requireNonNull(retryOn, "retryOn");
      Objects.requireNonNull(then, "then");
      if (then instanceof Retry) {
        throw new IllegalArgumentException(
            "then must be failFast, skip or deadLetter, not another retry: " + then);
      }
    }

    /**
     * This policy, retrying only failures that match {@code retryOn}.
     *
     * @param retryOn which failures to retry
     * @return a new retry policy
     */
    public Retry onlyIf(Predicate<? super Throwable> retryOn) {
      return new Retry(maxAttempts, backoff, retryOn, then);
    }
  }
}
