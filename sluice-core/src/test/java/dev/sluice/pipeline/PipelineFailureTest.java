package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.Backoff;
import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.ErrorPolicy;
import dev.sluice.FailedItem;
import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.RunnablePipeline;
import dev.sluice.Stage;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import dev.sluice.tg.ThreadKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each error-policy rule of {@link ErrorPolicy}, cancellation, timeouts, interrupts and argument
 * checks, on virtual and platform threads. Workers run on {@link TrackingThreads}, so every test
 * also checks that no thread of the pipeline outlives {@code run()}/{@code await()}; the {@link
 * ThreadLeakExtension} checks platform threads the pipeline made by itself.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(30)
class PipelineFailureTest {

  /** A failure a test function throws on purpose. */
  static final class Boom extends Exception {
    private static final long serialVersionUID = 1L;

    Boom(String message) {
      super(message);
    }
  }

  private static TrackingThreads threads(ThreadKind kind) {
    return kind == ThreadKind.VIRTUAL ? TrackingThreads.virtual() : TrackingThreads.platform();
  }

  private static Stage on(TrackingThreads threads, int workers) {
    return Stage.workers(workers).threadFactory(threads);
  }

  /** Blocks until interrupted; counts down {@code blocked} first. */
  private static void sleepUntilInterrupted(CountDownLatch blocked) throws InterruptedException {
    blocked.countDown();
    Thread.sleep(TimeUnit.HOURS.toMillis(1));
    throw new AssertionError("slept an hour");
  }

  // ---------------------------------------------------------------------------------------------
  // failFast

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void failFastInterruptsASleepingWorkerAndRunThrowsNamingStageAndItem(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch sleeping = new CountDownLatch(1);
    AtomicBoolean sleeperInterrupted = new AtomicBoolean();
    ConcurrentLinkedQueue<Object> dropped = new ConcurrentLinkedQueue<>();
    RunnablePipeline<Void> pipeline =
        Pipeline.from(range(2))
            .map(
                "work",
                on(threads, 2),
                x -> {
                  if (x == 0) {
                    try {
                      sleepUntilInterrupted(sleeping);
                    } catch (InterruptedException e) {
                      sleeperInterrupted.set(true);
                      throw e;
                    }
                  }
                  sleeping.await();
                  throw new Boom("item " + x);
                })
            .forEach("sink", on(threads, 1), x -> {})
            .onDiscard((stage, item) -> dropped.add(stage + ":" + item));

    PipelineException e = catchPipelineException(pipeline::run);

    assertThat(e.stage()).isEqualTo("work");
    assertThat(e.item()).isEqualTo(1);
    assertThat(e).hasMessage("stage 'work' failed on item 1: " + e.getCause());
    assertThat(e.getCause()).isInstanceOf(Boom.class).hasMessage("item 1");
    assertThat(e.getCause().getSuppressed()).as("the sleeper's InterruptedException").isEmpty();
    assertThat(e.getSuppressed()).isEmpty();
    assertThat(sleeperInterrupted).isTrue();
    PipelineStats stats = e.stats();
    assertThat(stats).isNotNull();
    assertThat(stats.state()).isEqualTo(PipelineStats.State.FAILED);
    assertThat(stats.stage("work").failed()).isEqualTo(1);
    assertThat(stats.stage("work").discarded()).isEqualTo(1);
    assertThat(dropped).containsExactly("work:0");
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void failFastClosesTheSourceAndTargetChannelsWithTheCause(ThreadKind kind, Workers workers)
      throws Exception {
    TrackingThreads threads = threads(kind);
    Channel<Integer> in = Channel.bounded(1);
    Channel<Integer> out = Channel.unbounded();
    RunnablePipeline<Void> pipeline =
        Pipeline.from(in)
            .<Integer>map(
                "fail",
                on(threads, 1),
                x -> {
                  throw new Boom("fail " + x);
                })
            .into(out);
    // The sender fills the source channel and then blocks: the failure must release it.
    Worker<Void> sender =
        workers.run(
            dev.sluice.testing.ThreadKind.VIRTUAL,
            () -> {
              for (int i = 0; ; i++) {
                in.send(i);
              }
            });

    PipelineException e = catchPipelineException(pipeline::run);

    assertThat(e.getCause()).isInstanceOf(Boom.class).hasMessage("fail 0");
    assertThat(sender.failure())
        .isInstanceOf(ChannelClosedException.class)
        .hasRootCauseInstanceOf(Boom.class);
    assertThat(in.isClosedForSend()).isTrue();
    assertThat(out.isClosedForSend()).isTrue();
    assertThatThrownBy(out::receive)
        .isInstanceOf(ChannelClosedException.class)
        .hasCauseReference(e.getCause());
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void laterFailuresAreSuppressedButInterruptsOfCancelledWorkersAreNot(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch blocked = new CountDownLatch(2);
    RunnablePipeline<Void> pipeline =
        Pipeline.from(range(3))
            .map(
                "work",
                on(threads, 3),
                x -> {
                  switch (x) {
                    case 0 -> {
                      // Fails only after the run stopped: a later failure.
                      try {
                        sleepUntilInterrupted(blocked);
                      } catch (InterruptedException e) {
                        throw new Boom("late failure of 0");
                      }
                    }
                    case 1 -> sleepUntilInterrupted(blocked); // its interrupt is no failure
                    default -> {
                      blocked.await();
                      throw new Boom("first failure of 2");
                    }
                  }
                  return x;
                })
            .forEach("sink", on(threads, 1), x -> {});

    PipelineException e = catchPipelineException(pipeline::run);

    assertThat(e.item()).isEqualTo(2);
    assertThat(e.getCause()).hasMessage("first failure of 2");
    assertThat(e.getCause().getSuppressed())
        .extracting(Throwable::getMessage)
        .containsExactly("late failure of 0");
    // Both late items are accounted for as discarded, not failed.
    assertThat(e.stats().stage("work").failed()).isEqualTo(1);
    assertThat(e.stats().stage("work").discarded()).isEqualTo(2);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void awaitOfAStartedPipelineThrowsThePipelineException(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    PipelineHandle<List<Integer>> handle =
        Pipeline.from(range(10))
            .map(
                "half",
                on(threads, 2),
                x -> {
                  if (x == 7) {
                    throw new Boom("seven");
                  }
                  return x;
                })
            .toList()
            .start();
    PipelineException e = catchPipelineException(handle::await);
    assertThat(e.stage()).isEqualTo("half");
    assertThat(e.item()).isEqualTo(7);
    assertThat(handle.isDone()).isTrue();
    assertThat(handle.stats().state()).isEqualTo(PipelineStats.State.FAILED);
    assertThat(handle.cancel()).as("cancel after the end").isFalse();
    threads.assertAllEnded();
  }

  // ---------------------------------------------------------------------------------------------
  // skip, retry, deadLetter

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void skipCountsFailuresAndDeliversTheRest(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    Queue<Integer> got = new ConcurrentLinkedQueue<>(); // a set would hide an item sunk twice
    PipelineResult<Void> result =
        Pipeline.from(range(30))
            .map(
                "third",
                on(threads, 4).onError(ErrorPolicy.skip()),
                x -> {
                  if (x % 3 == 0) {
                    throw new Boom("x" + x);
                  }
                  return x;
                })
            .forEach("sink", on(threads, 2), got::add)
            .run();
    assertThat(got)
        .containsExactlyInAnyOrderElementsOf(range(30).stream().filter(x -> x % 3 != 0).toList());
    assertThat(result.stage("third").failed()).isEqualTo(10);
    assertThat(result.stage("third").succeeded()).isEqualTo(20);
    assertThat(result.failed()).isEqualTo(10);
    assertThat(result.delivered()).isEqualTo(20);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void retryThenSkipRetriesEachFailureAndSkipsWhatNeverSucceeds(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Queue<Integer> got = new ConcurrentLinkedQueue<>();
    PipelineResult<Void> result =
        Pipeline.from(range(20))
            .map(
                "flaky",
                on(threads, 3)
                    .onError(
                        ErrorPolicy.retry(
                            3, Backoff.fixed(Duration.ofNanos(1000)), ErrorPolicy.skip())),
                x -> {
                  int n = attempts.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                  // Even items succeed on their third attempt; multiples of 5 never do.
                  if (x % 5 == 0 || (x % 2 == 0 && n < 3)) {
                    throw new Boom(x + " attempt " + n);
                  }
                  return x;
                })
            .forEach("sink", on(threads, 1), got::add)
            .run();
    assertThat(got)
        .containsExactlyInAnyOrderElementsOf(range(20).stream().filter(x -> x % 5 != 0).toList());
    for (int x = 0; x < 20; x++) {
      int expected = x % 5 == 0 || x % 2 == 0 ? 3 : 1;
      assertThat(attempts.get(x).get()).as("attempts of %d", x).isEqualTo(expected);
    }
    // 4 never-succeeding items and 8 other even items, 2 retries each.
    assertThat(result.stage("flaky").retried()).isEqualTo(24);
    assertThat(result.stage("flaky").failed()).isEqualTo(4);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void retryThenDeadLetterHandsTheSinkItemStageLastCauseAndAttempts(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    ConcurrentLinkedQueue<FailedItem> letters = new ConcurrentLinkedQueue<>();
    PipelineResult<Void> result =
        Pipeline.from(range(6))
            .map(
                "odd-fails",
                on(threads, 2)
                    .onError(
                        ErrorPolicy.retry(2, Backoff.none(), ErrorPolicy.deadLetter(letters::add))),
                x -> {
                  if (x % 2 == 1) {
                    throw new Boom("odd " + x);
                  }
                  return x;
                })
            .forEach("sink", on(threads, 1), x -> {})
            .run();
    assertThat(letters).hasSize(3);
    for (FailedItem f : letters) {
      assertThat(f.stage()).isEqualTo("odd-fails");
      assertThat(f.attempts()).isEqualTo(2);
      assertThat(f.cause()).isInstanceOf(Boom.class).hasMessage("odd " + f.item());
    }
    assertThat(letters).extracting(FailedItem::item).containsExactlyInAnyOrder(1, 3, 5);
    assertThat(result.stage("odd-fails").failed()).isEqualTo(3);
    assertThat(result.stage("odd-fails").retried()).isEqualTo(3);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void retryWithoutThenFailsThePipelineAfterTheLastAttempt(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    AtomicInteger calls = new AtomicInteger();
    RunnablePipeline<Void> pipeline =
        Pipeline.from(List.of("only"))
            .map(
                "always",
                on(threads, 1).onError(ErrorPolicy.retry(4, Backoff.none())),
                x -> {
                  throw new Boom("attempt " + calls.incrementAndGet());
                })
            .forEach("sink", on(threads, 1), x -> {});
    PipelineException e = catchPipelineException(pipeline::run);
    assertThat(calls.get()).isEqualTo(4);
    assertThat(e.getCause()).hasMessage("attempt 4");
    assertThat(e.item()).isEqualTo("only");
    assertThat(e.stats().stage("always").retried()).isEqualTo(3);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aRetriedFlatMapEmitsTheOutputsOfItsSuccessfulAttemptOnly(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    PipelineResult<List<String>> result =
        Pipeline.from(range(10))
            .<String>flatMap(
                "copies",
                on(threads, 3).onError(ErrorPolicy.retry(3, Backoff.none())),
                (x, out) -> {
                  int n = attempts.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                  out.emit(x + "a" + n);
                  out.emit(x + "b" + n);
                  if (n < 3) {
                    throw new Boom(x + " after emitting, attempt " + n);
                  }
                })
            .toList()
            .run();
    List<String> expected = new ArrayList<>();
    for (int x = 0; x < 10; x++) {
      expected.add(x + "a3");
      expected.add(x + "b3");
    }
    assertThat(result.value()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(result.stage("copies").emitted()).isEqualTo(20);
    assertThat(result.stage("copies").retried()).isEqualTo(20);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aFlatMapItemThatFailsUnderSkipKeepsWhatItEmittedBeforeItThrew(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    PipelineResult<List<String>> result =
        Pipeline.from(range(4))
            .<String>flatMap(
                "partial",
                on(threads, 2).onError(ErrorPolicy.skip()),
                (x, out) -> {
                  out.emit(x + "a");
                  if (x == 2) {
                    throw new Boom("two");
                  }
                  out.emit(x + "b");
                })
            .toList()
            .run();
    assertThat(result.value()).containsExactlyInAnyOrder("0a", "0b", "1a", "1b", "2a", "3a", "3b");
    assertThat(result.stage("partial").failed()).isEqualTo(1);
    assertThat(result.stage("partial").succeeded()).isEqualTo(3);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void deadLetterHandsTheSinkEachFailedItemAndGoesOn(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    ConcurrentLinkedQueue<FailedItem> letters = new ConcurrentLinkedQueue<>();
    Queue<String> got = new ConcurrentLinkedQueue<>();
    PipelineResult<Void> result =
        Pipeline.from(List.of("a", "bad", "c"))
            .filter(
                "check",
                on(threads, 2).onError(ErrorPolicy.deadLetter(letters::add)),
                s -> {
                  if (s.equals("bad")) {
                    throw new Boom("bad item");
                  }
                  return true;
                })
            .forEach("sink", on(threads, 1), got::add)
            .run();
    assertThat(got).containsExactlyInAnyOrder("a", "c");
    assertThat(letters).hasSize(1);
    FailedItem f = letters.peek();
    assertThat(f.item()).isEqualTo("bad");
    assertThat(f.stage()).isEqualTo("check");
    assertThat(f.cause()).isInstanceOf(Boom.class).hasMessage("bad item");
    assertThat(f.attempts()).isEqualTo(1);
    assertThat(result.stage("check").failed()).isEqualTo(1);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aThrowingDeadLetterSinkFailsThePipeline(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    IllegalStateException sinkFailure = new IllegalStateException("sink is full");
    RunnablePipeline<Void> pipeline =
        Pipeline.from(List.of(1, 2, 3))
            .map(
                "picky",
                on(threads, 1)
                    .onError(
                        ErrorPolicy.deadLetter(
                            f -> {
                              throw sinkFailure;
                            })),
                x -> {
                  if (x == 2) {
                    throw new Boom("two");
                  }
                  return x;
                })
            .forEach("sink", on(threads, 1), x -> {});
    PipelineException e = catchPipelineException(pipeline::run);
    assertThat(e.stage()).isEqualTo("picky");
    assertThat(e.item()).isEqualTo(2);
    assertThat(e.getCause()).isSameAs(sinkFailure);
    assertThat(sinkFailure.getSuppressed()).hasSize(1);
    assertThat(sinkFailure.getSuppressed()[0]).isInstanceOf(Boom.class).hasMessage("two");
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aMapFunctionReturningNullFailsNamingTheStageAndItem(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    RunnablePipeline<Void> pipeline =
        Pipeline.from(List.of(1, 2, 3))
            .<Integer>map("nully", on(threads, 1), x -> x == 2 ? null : x)
            .forEach("sink", on(threads, 1), x -> {});
    PipelineException e = catchPipelineException(pipeline::run);
    assertThat(e.stage()).isEqualTo("nully");
    assertThat(e.item()).isEqualTo(2);
    assertThat(e.getCause())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("the map function of stage 'nully' returned null for 2");
    threads.assertAllEnded();
  }

  // ---------------------------------------------------------------------------------------------
  // cancel, timeout, interrupt

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void cancelStopsAnEndlessPipelinePromptlyAndAwaitThrowsCancellation(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch sleeping = new CountDownLatch(1);
    AtomicInteger discarded = new AtomicInteger();
    Iterator<Integer> endless = Stream.iterate(0, x -> x + 1).iterator();
    PipelineHandle<Void> handle =
        Pipeline.from(endless)
            .map("pass", on(threads, 4).ordered(), x -> x)
            .forEach(
                "slow",
                on(threads, 1),
                x -> {
                  if (x == 10) {
                    sleepUntilInterrupted(sleeping);
                  }
                })
            .onDiscard((stage, item) -> discarded.incrementAndGet())
            .start();
    sleeping.await();
    assertThat(handle.cancel()).isTrue();
    assertThat(handle.cancel()).as("second cancel").isFalse();
    Throwable t = catchThrowable(handle::await);
    assertThat(t).isInstanceOf(CancellationException.class);
    assertThat(handle.isDone()).isTrue();
    PipelineStats stats = handle.stats();
    assertThat(stats.state()).isEqualTo(PipelineStats.State.CANCELLED);
    long totalDiscarded = stats.stages().stream().mapToLong(dev.sluice.StageStats::discarded).sum();
    assertThat(discarded.get()).isEqualTo(totalDiscarded).isGreaterThanOrEqualTo(1);
    assertThat(stats.stage("slow").succeeded()).isEqualTo(10);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aTimeoutStopsABlockedPipelineAndRunThrowsPipelineExceptionWithTimeoutCause(ThreadKind kind)
      throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch never = new CountDownLatch(1);
    RunnablePipeline<Void> pipeline =
        Pipeline.from(range(5))
            .map(
                "stuck",
                on(threads, 2),
                x -> {
                  never.await();
                  return x;
                })
            .forEach("sink", on(threads, 1), x -> {})
            .timeout(Duration.ofMillis(50));
    PipelineException e = catchPipelineException(pipeline::run);
    assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
    assertThat(e.stage()).isNull();
    assertThat(e.item()).isNull();
    assertThat(e).hasMessageStartingWith("pipeline failed: java.util.concurrent.TimeoutException");
    assertThat(e.getCause().getSuppressed()).isEmpty();
    assertThat(e.stats().state()).isEqualTo(PipelineStats.State.FAILED);
    long discarded = e.stats().stages().stream().mapToLong(dev.sluice.StageStats::discarded).sum();
    // Whatever the source pulled before the timeout (maybe nothing yet) was discarded.
    assertThat(discarded).isEqualTo(e.stats().stage("source").received());
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void aTimeoutFailsAwaitOfAStartedPipeline(ThreadKind kind) throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch never = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(range(3))
            .forEach(
                "stuck",
                on(threads, 3),
                x -> {
                  never.await();
                })
            .timeout(Duration.ofMillis(20))
            .start();
    PipelineException e = catchPipelineException(handle::await);
    assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
    assertThat(handle.stats().state()).isEqualTo(PipelineStats.State.FAILED);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void runOnAnInterruptedCallerCancelsAndThrowsInterruptedException(
      ThreadKind kind, Workers workers) throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch never = new CountDownLatch(1);
    RunnablePipeline<Void> pipeline =
        Pipeline.from(range(100))
            .map("pass", on(threads, 2), x -> x)
            .forEach("block", on(threads, 1), x -> never.await());
    Worker<Void> caller =
        workers.run(
            dev.sluice.testing.ThreadKind.PLATFORM,
            () -> {
              Thread.currentThread().interrupt();
              pipeline.run();
            });
    assertThat(caller.failure()).isInstanceOf(InterruptedException.class);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  void interruptingTheCallerOfRunCancelsABlockedPipeline(ThreadKind kind, Workers workers)
      throws Exception {
    TrackingThreads threads = threads(kind);
    CountDownLatch sleeping = new CountDownLatch(1);
    AtomicBoolean workerInterrupted = new AtomicBoolean();
    RunnablePipeline<Void> pipeline =
        Pipeline.from(range(3))
            .forEach(
                "sleep",
                on(threads, 1),
                x -> {
                  try {
                    sleepUntilInterrupted(sleeping);
                  } catch (InterruptedException e) {
                    workerInterrupted.set(true);
                    throw e;
                  }
                });
    Worker<Void> caller = workers.run(dev.sluice.testing.ThreadKind.VIRTUAL, pipeline::run);
    sleeping.await();
    caller.interrupt();
    assertThat(caller.failure()).isInstanceOf(InterruptedException.class);
    assertThat(workerInterrupted).isTrue();
    threads.assertAllEnded();
  }

  @Test
  void cancelRightAfterStartNeverHangs() throws Exception {
    // Regression: worker tasks dropped by the cancel before they started never ended their stage.
    for (int round = 0; round < 200; round++) {
      TrackingThreads threads = TrackingThreads.platform();
      PipelineHandle<Void> handle =
          Pipeline.<Integer>fromProducers("produce", on(threads, 4), (i, out) -> out.emit(i))
              .map("pass", on(threads, 8), x -> x)
              .forEach("sink", on(threads, 2), x -> {})
              .start();
      handle.cancel();
      try {
        handle.await(Duration.ofSeconds(10));
      } catch (CancellationException expected) {
        // the usual outcome
      } catch (TimeoutException e) {
        throw new AssertionError("round " + round + " hangs: " + handle.stats(), e);
      }
      threads.assertAllEnded();
    }
  }

  @Test
  void aFailureWhileStagesAreStillStartingNeverHangsNorReportsRejectedStarts() throws Exception {
    // Regression: the terminal fails on the first item while launch() is still submitting the
    // workers of the stage before it; that stage was then counted as ended twice (hang), and the
    // rejected submit was attached to the failure as if it were a later failure.
    for (int round = 0; round < 100; round++) {
      TrackingThreads threads = TrackingThreads.platform();
      Channel<Integer> in = Channel.unbounded();
      for (int i = 0; i < 50; i++) {
        in.send(i);
      }
      in.close();
      PipelineHandle<Void> handle =
          Pipeline.from(in)
              .map("wide", on(threads, 16), x -> x)
              .forEach(
                  "fail",
                  on(threads, 1),
                  x -> {
                    throw new Boom("first item " + x);
                  })
              .start();
      Throwable t;
      try {
        t = catchThrowable(() -> handle.await(Duration.ofSeconds(10)));
      } finally {
        handle.cancel();
      }
      if (t instanceof TimeoutException) {
        throw new AssertionError("round " + round + " hangs: " + handle.stats(), t);
      }
      assertThat(t).as("round %d", round).isInstanceOf(PipelineException.class);
      assertThat(t.getCause()).isInstanceOf(Boom.class);
      assertThat(t.getCause().getSuppressed()).as("round %d: suppressed", round).isEmpty();
      threads.assertAllEnded();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input

  @Test
  void pipelineFactoriesRejectNullSources() {
    assertNpe(() -> Pipeline.from((Iterable<Integer>) null), "source");
    assertNpe(() -> Pipeline.from((Iterator<Integer>) null), "source");
    assertNpe(() -> Pipeline.from((Stream<Integer>) null), "source");
    assertNpe(() -> Pipeline.from((Channel<Integer>) null), "source");
  }

  @Test
  void fromProducersChecksItsArguments() {
    Pipeline.Producer<Integer> producer = (i, out) -> {};
    assertIae(
        () -> Pipeline.fromProducers("p", 0, producer), "workers must be >= 1 (stage 'p'): 0");
    assertNpe(() -> Pipeline.fromProducers("p", (Stage) null, producer), "options");
    assertNpe(() -> Pipeline.<Integer>fromProducers("p", 2, null), "producer");
    assertNpe(() -> Pipeline.fromProducers(null, 2, producer), "name");
    assertIae(() -> Pipeline.fromProducers(" ", 2, producer), "name must not be blank: ' '");
    ErrorPolicy retry = ErrorPolicy.retry(2, Backoff.none());
    assertIae(
        () -> Pipeline.fromProducers("p", Stage.workers(2).onError(retry), producer),
        "producers cannot be retried (source 'p'): " + retry);
  }

  @Test
  void stageAddersCheckTheirArguments() {
    Pipeline<Integer> p = Pipeline.from(range(3));
    assertIae(() -> p.map("m", 0, x -> x), "workers must be >= 1 (stage 'm'): 0");
    assertIae(() -> p.flatMap("f", -1, (x, out) -> {}), "workers must be >= 1 (stage 'f'): -1");
    assertIae(() -> p.filter("f", 0, x -> true), "workers must be >= 1 (stage 'f'): 0");
    assertIae(() -> p.expand("e", 0, (x, out) -> {}), "workers must be >= 1 (stage 'e'): 0");
    assertIae(() -> p.forEach("c", 0, x -> {}), "workers must be >= 1 (stage 'c'): 0");
    assertNpe(() -> p.map("m", (Stage) null, x -> x), "options");
    assertNpe(() -> p.map("m", 1, null), "fn");
    assertNpe(() -> p.flatMap("f", 1, null), "fn");
    assertNpe(() -> p.filter("f", 1, null), "fn");
    assertNpe(() -> p.expand("e", 1, null), "fn");
    assertNpe(() -> p.forEach("c", 1, null), "fn");
    assertNpe(() -> p.map(null, 1, x -> x), "name");
    assertIae(() -> p.map("", 1, x -> x), "name must not be blank: ''");
    assertIae(
        () -> p.map("dup", 1, x -> x).map("dup", 1, x -> x),
        "stage name must be unique in the pipeline: 'dup' is already used");
    assertIae(
        () -> p.map("source", 1, x -> x),
        "stage name must be unique in the pipeline: 'source' is already used");
    Stage ordered = Stage.workers(2).ordered();
    assertIae(
        () -> p.expand("e", ordered, (x, out) -> {}),
        "an expand stage cannot be ordered or keyed (stage 'e'): " + ordered);
    Stage keyed = Stage.workers(2).keyedBy(x -> x);
    assertIae(
        () -> p.expand("e", keyed, (x, out) -> {}),
        "an expand stage cannot be ordered or keyed (stage 'e'): " + keyed);
    assertNpe(() -> p.expand("e", (Stage) null, (x, out) -> {}), "options");
    assertNpe(() -> p.into(null), "channel");
    assertNpe(() -> p.forEach("c", (Stage) null, x -> {}), "options");
    Stage orderedTwo = Stage.workers(2).ordered();
    assertIae(
        () -> p.forEach("c", orderedTwo, x -> {}),
        "an ordered forEach would consume one item at a time; use Stage.workers(1), which"
            + " consumes in arrival order (stage 'c'): "
            + orderedTwo);
  }

  @Test
  void batchChecksItsArguments() {
    Pipeline<Integer> p = Pipeline.from(range(3));
    Duration second = Duration.ofSeconds(1);
    assertIae(() -> p.batch("b", 0, second), "size must be >= 1 (stage 'b'): 0");
    assertNpe(() -> p.batch("b", 2, null), "maxWait");
    assertIae(() -> p.batch("b", 2, Duration.ZERO), "maxWait must be positive (stage 'b'): PT0S");
    assertIae(
        () -> p.batch("b", 2, Duration.ofMillis(-1)),
        "maxWait must be positive (stage 'b'): PT-0.001S");
    assertNpe(() -> p.batch("b", null, 2, second), "options");
    Stage keyed = Stage.workers(2).keyedBy(x -> x);
    assertIae(
        () -> p.batch("b", keyed, 2, second),
        "a batch stage cannot be keyed (stage 'b'): " + keyed);
  }

  @Test
  void stageOptionsCheckTheirArguments() {
    assertIae(() -> Stage.workers(0), "workers must be >= 1: 0");
    assertIae(() -> Stage.workers(-5), "workers must be >= 1: -5");
    Stage four = Stage.workers(4);
    assertNpe(() -> four.threadFactory(null), "factory");
    assertIae(() -> four.capacity(0), "capacity must be >= 1: 0");
    assertIae(() -> four.ordered(3), "window must be >= workers (4): 3");
    assertNpe(() -> four.keyedBy(null), "key");
    assertNpe(() -> four.onError(null), "policy");
    assertIae(() -> four.rateLimit(0), "perSecond must be positive and finite: 0.0");
    assertIae(() -> four.rateLimit(-1), "perSecond must be positive and finite: -1.0");
    assertIae(() -> four.rateLimit(Double.NaN), "perSecond must be positive and finite: NaN");
    assertIae(
        () -> four.rateLimit(Double.POSITIVE_INFINITY),
        "perSecond must be positive and finite: Infinity");
    assertIae(() -> four.rateLimit(10, 0), "burst must be >= 1: 0");
    assertThatThrownBy(() -> four.ordered().keyedBy(x -> x))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a stage cannot be both ordered and keyedBy");
    assertThatThrownBy(() -> four.keyedBy(x -> x).ordered())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a stage cannot be both ordered and keyedBy");
  }

  @Test
  void errorPoliciesCheckTheirArguments() {
    assertNpe(() -> ErrorPolicy.deadLetter(null), "sink");
    assertIae(() -> ErrorPolicy.retry(0, Backoff.none()), "maxAttempts must be >= 1: 0");
    assertNpe(() -> ErrorPolicy.retry(2, null), "backoff");
    assertNpe(() -> ErrorPolicy.retry(2, Backoff.none(), null), "then");
    ErrorPolicy.Retry inner = ErrorPolicy.retry(2, Backoff.none());
    assertIae(
        () -> ErrorPolicy.retry(2, Backoff.none(), inner),
        "then must be failFast, skip or deadLetter, not another retry: " + inner);
    assertNpe(() -> inner.onlyIf(null), "retryOn");
  }

  @Test
  void runOptionsCheckTheirArguments() {
    RunnablePipeline<List<Integer>> r = Pipeline.from(range(3)).toList();
    assertNpe(() -> r.timeout(null), "timeout");
    assertIae(() -> r.timeout(Duration.ZERO), "timeout must be positive: PT0S");
    assertIae(() -> r.timeout(Duration.ofSeconds(-1)), "timeout must be positive: PT-1S");
    assertNpe(() -> r.onDiscard(null), "listener");
    assertNpe(() -> r.progress(null, s -> {}), "period");
    assertNpe(() -> r.progress(Duration.ofSeconds(1), null), "listener");
    assertIae(() -> r.progress(Duration.ZERO, s -> {}), "period must be positive: PT0S");
  }

  @Test
  void emittingNullFailsTheItem() throws Exception {
    RunnablePipeline<List<Integer>> pipeline =
        Pipeline.from(List.of(1)).<Integer>flatMap("nully", 1, (x, out) -> out.emit(null)).toList();
    PipelineException e = catchPipelineException(pipeline::run);
    assertThat(e.stage()).isEqualTo("nully");
    assertThat(e.getCause())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("stage 'nully' emitted null");
  }

  // ---------------------------------------------------------------------------------------------

  @FunctionalInterface
  interface Run {
    Object run() throws Exception;
  }

  private static PipelineException catchPipelineException(Run run) {
    Throwable t = catchThrowable(run::run);
    assertThat(t).isInstanceOf(PipelineException.class);
    return (PipelineException) t;
  }

  private static void assertIae(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  private static void assertNpe(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(NullPointerException.class).hasMessage(message);
  }
}
