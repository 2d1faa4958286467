package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.on;
import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Backoff;
import dev.sluice.Bottleneck;
import dev.sluice.Channel;
import dev.sluice.ErrorPolicy;
import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.ProgressListener;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import dev.sluice.pipeline.FlowProbes.SeenThreads;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Live and final statistics: what a blocked stage shows while it runs, the bottleneck verdict,
 * exact final counters and their accounting invariant, and progress listeners.
 */
@ExtendWith(ThreadLeakExtension.class)
class PipelineStatsTest {

  // ---------------------------------------------------------------------------------------------
  // Live

  /**
   * "slow" (3 workers, capacity 5) is blocked: its workers are all busy, its input fills up, and
   * "up" waits for room, so its workers are blocked and not busy. Once the slow stage has been busy
   * long enough it is named the bottleneck, and more workers would help.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aBlockedStageShowsBusyWorkersAFullInputAndIsTheBottleneck(ThreadKind kind) throws Exception {
    int workers = 3;
    int capacity = 5;
    SeenThreads up = new SeenThreads(kind, "up");
    CountDownLatch entered = new CountDownLatch(workers);
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(range(10_000))
            .map("up", Stage.workers(2).threadFactory(up).capacity(4), x -> x)
            .map(
                "slow",
                on(kind, Stage.workers(workers)).capacity(capacity),
                x -> {
                  entered.countDown();
                  assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  return x;
                })
            .forEach("sink", 1, x -> {})
            .start();
    try {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () -> {
            PipelineStats now = handle.stats();
            return now.stage("up").received() >= 2 + capacity + workers
                && now.stage("slow").queued() == capacity
                && up.allParkedExcept(List.of(), 2);
          },
          "'up' to park with the slow stage's input full");
      PipelineStats stats = handle.stats();
      assertThat(stats.state()).isEqualTo(PipelineStats.State.RUNNING);
      StageStats slow = stats.stage("slow");
      assertThat(slow.busyWorkers()).isEqualTo(workers);
      assertThat(slow.queued()).isEqualTo(capacity);
      assertThat(slow.capacity()).isEqualTo(capacity);
      assertThat(slow.received()).isEqualTo(workers);
      assertThat(slow.emitted()).isZero();
      StageStats upStats = stats.stage("up");
      assertThat(upStats.busyWorkers()).as("'up' workers waiting for room").isZero();
      assertThat(upStats.blockedTime()).isPositive();
      assertThat(upStats.emitted()).isEqualTo(workers + capacity);

      // Utilisation grows towards 1 as the slow stage stays busy; wait until it is high enough.
      Waiting.until(
          () -> handle.stats().stage("slow").utilisation() >= 0.95,
          "the slow stage's utilisation to pass 95%");
      Bottleneck verdict = handle.stats().bottleneck().orElseThrow();
      assertThat(verdict.stage()).isEqualTo("slow");
      assertThat(verdict.inputFull()).isTrue();
      assertThat(verdict.moreWorkersWouldHelp()).isTrue();
      assertThat(verdict.utilisation()).isBetween(0.95, 1.0);
      assertThat(verdict.verdict()).startsWith("slow limits throughput").contains("more workers");
    } finally {
      release.countDown();
    }
    assertThat(handle.await().delivered()).isEqualTo(10_000);
  }

  /**
   * A fast stage fed by a channel that is mostly empty: it did work, so there is a verdict, but no
   * stage is saturated and more workers would not help.
   */
  @Test
  @Timeout(30)
  void aFastStageWithAnEmptyInputIsNotSaturated() throws Exception {
    Channel<Integer> input = Channel.bounded(64);
    CountDownLatch delivered = new CountDownLatch(200);
    PipelineHandle<Void> handle =
        Pipeline.from(input)
            .map("fast", 2, x -> x + 1)
            .forEach("sink", 1, x -> delivered.countDown())
            .start();
    for (int i = 0; i < 200; i++) {
      input.send(i);
    }
    assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
    PipelineStats stats = handle.stats();
    Bottleneck verdict = stats.bottleneck().orElseThrow();
    assertThat(verdict.inputFull()).isFalse();
    assertThat(verdict.moreWorkersWouldHelp()).isFalse();
    assertThat(stats.stage("fast").queued()).isZero();
    input.close();
    handle.await();
  }

  /**
   * An expand stage whose workers are blocked: busy workers count the workers processing an item,
   * never more than the stage has, and not the intake that feeds them.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aBlockedExpandStageShowsAtMostItsWorkersBusy(ThreadKind kind) throws Exception {
    int workers = 2;
    CountDownLatch entered = new CountDownLatch(workers);
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(range(100))
            .<Integer>expand(
                "walk",
                on(kind, Stage.workers(workers)).capacity(3),
                (n, out) -> {
                  entered.countDown();
                  assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  out.emit(n);
                })
            .forEach("sink", 1, x -> {})
            .start();
    try {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () -> handle.stats().stage("walk").queued() == 3, "the expand input to fill up");
      assertThat(handle.stats().stage("walk").busyWorkers()).isEqualTo(workers);
    } finally {
      release.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(result.delivered()).isEqualTo(100);
    StageStats walk = result.stage("walk");
    assertThat(walk.busyTime().toNanos())
        .as("busy time of %s", walk)
        .isLessThanOrEqualTo(walk.workers() * walk.elapsed().toNanos());
  }

  /**
   * An expand stage whose outputs wait for room downstream: its workers are blocked, not busy (as
   * for any other stage), and the wait shows as blocked time.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void anExpandStageWaitingForRoomDownstreamIsBlockedNotBusy(ThreadKind kind) throws Exception {
    int workers = 2;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch sinkEntered = new CountDownLatch(1);
    SeenThreads walkThreads = new SeenThreads(kind, "walk");
    PipelineHandle<Void> handle =
        Pipeline.from(range(100))
            .<Integer>expand(
                "walk", Stage.workers(workers).threadFactory(walkThreads), (n, out) -> out.emit(n))
            .forEach(
                "sink",
                Stage.workers(1).capacity(2),
                x -> {
                  sinkEntered.countDown();
                  assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                })
            .start();
    try {
      assertThat(sinkEntered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () -> walkThreads.allParkedExcept(List.of(), workers + 1),
          "the expand workers and intake to park");
      StageStats walk = handle.stats().stage("walk");
      assertThat(walk.busyWorkers()).as("busy workers of %s", walk).isZero();
      assertThat(walk.blockedTime()).as("blocked time of %s", walk).isPositive();
    } finally {
      release.countDown();
    }
    assertThat(handle.await().delivered()).isEqualTo(100);
  }

  // ---------------------------------------------------------------------------------------------
  // Final counters

  @Test
  @Timeout(30)
  void finalCountersAreExactPerStage() throws Exception {
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    AtomicInteger consumed = new AtomicInteger();
    PipelineResult<Void> result =
        Pipeline.from(range(100))
            .map(
                "m",
                Stage.workers(4).onError(ErrorPolicy.retry(3, Backoff.none())),
                x -> {
                  int attempt =
                      attempts.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                  if (x % 10 == 0 && attempt == 1) {
                    throw new IllegalStateException("first attempt at " + x);
                  }
                  return x;
                })
            .filter("f", 3, x -> x % 2 == 0)
            .<Integer>flatMap(
                "fm",
                Stage.workers(2).onError(ErrorPolicy.skip()),
                (x, out) -> {
                  if (x % 8 == 0) {
                    throw new IllegalArgumentException("no multiples of 8: " + x);
                  }
                  out.emit(x);
                  out.emit(-x);
                })
            .forEach("t", 2, x -> consumed.incrementAndGet())
            .run();
    // 100 items; 10 retried once; 50 odd filtered; 13 multiples of 8 (0..96) fail in fm; the 37
    // others emit 2 each.
    assertCounts(result.stage("source"), 100, 100, 100, 0, 0, 0);
    assertCounts(result.stage("m"), 100, 100, 100, 0, 0, 10);
    assertCounts(result.stage("f"), 100, 50, 50, 50, 0, 0);
    assertCounts(result.stage("fm"), 50, 37, 74, 0, 13, 0);
    assertCounts(result.stage("t"), 74, 74, 74, 0, 0, 0);
    assertThat(consumed.get()).isEqualTo(74);
    assertThat(result.sourceItems()).isEqualTo(100);
    assertThat(result.delivered()).isEqualTo(74);
    assertThat(result.failed()).isEqualTo(13);
    assertThat(result.filtered()).isEqualTo(50);
    assertThat(result.stats().stages()).allSatisfy(s -> assertThat(s.discarded()).isZero());
    assertThat(result.stats().stages())
        .allSatisfy(s -> assertThat(s.queued()).as("queued of %s", s.name()).isZero());
    assertThat(result.stats().stages())
        .allSatisfy(s -> assertThat(s.busyWorkers()).as("busy of %s", s.name()).isZero());
    assertInvariant(result.stats());
    assertSane(result.stats());
  }

  private static void assertCounts(
      StageStats s,
      long received,
      long succeeded,
      long emitted,
      long filtered,
      long failed,
      long retried) {
    assertThat(List.of(s.received(), s.succeeded(), s.emitted(), s.filtered(), s.failed()))
        .as("received, succeeded, emitted, filtered, failed of %s", s)
        .containsExactly(received, succeeded, emitted, filtered, failed);
    assertThat(s.retried()).as("retried of %s", s).isEqualTo(retried);
    assertThat(s.discarded()).as("discarded of %s", s).isZero();
  }

  /**
   * StageStats' accounting: every item that entered a stage's input (what the stage before it
   * emitted, plus its own follow-ups) ends in exactly one of succeeded, filtered, failed or
   * discarded; on success it was also received.
   */
  private static void assertInvariant(PipelineStats stats) {
    List<StageStats> stages = stats.stages();
    StageStats source = stages.get(0);
    assertThat(source.emitted()).as("the source emits what it pulls").isEqualTo(source.received());
    for (int i = 1; i < stages.size(); i++) {
      StageStats s = stages.get(i);
      long entered = stages.get(i - 1).emitted() + s.followUps();
      assertThat(s.succeeded() + s.filtered() + s.failed() + s.discarded())
          .as("items that entered %s: %d", s, entered)
          .isEqualTo(entered);
      assertThat(s.received() + s.followUps())
          .as("items %s processed", s.name())
          .isEqualTo(entered);
    }
  }

  /** Throughput and utilisation are finite, non-negative, and utilisation at most 1. */
  private static void assertSane(PipelineStats stats) {
    assertThat(stats.elapsed()).isPositive();
    for (StageStats s : stats.stages()) {
      assertThat(s.elapsed()).as("elapsed of %s", s.name()).isPositive();
      assertThat(s.elapsed()).as("elapsed of %s", s.name()).isLessThanOrEqualTo(stats.elapsed());
      assertThat(s.throughput()).as("throughput of %s", s).isFinite().isGreaterThan(0);
      assertThat(s.utilisation()).as("utilisation of %s", s).isBetween(0.0, 1.0);
      assertThat(s.busyTime()).as("busy time of %s", s).isGreaterThanOrEqualTo(Duration.ZERO);
      assertThat(s.blockedTime()).as("blocked time of %s", s).isGreaterThanOrEqualTo(Duration.ZERO);
      assertThat(s.busyTime().toNanos())
          .as("busy time of %s fits in workers x elapsed", s)
          .isLessThanOrEqualTo(s.workers() * s.elapsed().toNanos());
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void theAccountingInvariantHoldsForEveryStageKind(ThreadKind kind) throws Exception {
    PipelineResult<List<Integer>> result =
        Pipeline.from(range(300))
            .map("m", on(kind, Stage.workers(3)).ordered(), x -> x)
            .<Integer>expand(
                "e",
                on(kind, Stage.workers(4)),
                (x, out) -> {
                  out.emit(x);
                  if (x < 300 && x % 3 == 0) {
                    out.followUp(1_000 + x);
                  }
                })
            .batch("b", on(kind, Stage.workers(2)), 8, Duration.ofMillis(5))
            .<Integer>flatMap(
                "unbatch",
                on(kind, Stage.workers(2)),
                (batch, out) -> {
                  for (int x : batch) {
                    out.emit(x);
                  }
                })
            .filter("f", on(kind, Stage.workers(2)).<Integer>keyedBy(x -> x % 7), x -> x % 4 != 0)
            .map(
                "skip",
                on(kind, Stage.workers(2)).onError(ErrorPolicy.skip()),
                x -> {
                  if (x % 5 == 0) {
                    throw new IllegalStateException("x % 5 == 0: " + x);
                  }
                  return x;
                })
            .toList()
            .run();
    List<Integer> expected = new ArrayList<>();
    for (int x = 0; x < 300; x++) {
      expected.add(x);
      if (x % 3 == 0) {
        expected.add(1_000 + x);
      }
    }
    expected.removeIf(x -> x % 4 == 0 || x % 5 == 0);
    assertThat(result.value()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(result.stage("e").followUps()).isEqualTo(100);
    assertThat(result.stage("b").succeeded()).isEqualTo(400);
    assertInvariant(result.stats());
    assertSane(result.stats());
  }

  @Test
  @Timeout(30)
  void askingForAStageThatDoesNotExistNamesTheStagesThatDo() throws Exception {
    PipelineResult<Void> result =
        Pipeline.from(range(3)).map("double", 1, x -> 2 * x).forEach("print", 1, x -> {}).run();
    assertThatThrownBy(() -> result.stage("tripple"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no stage named 'tripple'; stages: [source, double, print]");
    assertThatThrownBy(() -> result.stats().stage("Double"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Double'")
        .hasMessageContaining("[source, double, print]");
  }

  // ---------------------------------------------------------------------------------------------
  // Progress

  /** Records calls and fails on concurrent or out-of-order ones. */
  private static final class Recorder implements ProgressListener {
    final List<PipelineStats> progress = Collections.synchronizedList(new ArrayList<>());
    final List<PipelineStats> finish = Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger inside = new AtomicInteger();
    final CountDownLatch threeSnapshots = new CountDownLatch(3);

    private void enter(String what) {
      if (inside.incrementAndGet() != 1) {
        problems.add(what + " called concurrently");
      }
      if (!finish.isEmpty()) {
        problems.add(what + " called after onFinish");
      }
      Thread.yield(); // widen the window for an overlapping call
    }

    @Override
    public void onProgress(PipelineStats stats) {
      enter("onProgress");
      progress.add(stats);
      inside.decrementAndGet();
      threeSnapshots.countDown();
    }

    @Override
    public void onFinish(PipelineStats stats) {
      enter("onFinish");
      finish.add(stats);
      inside.decrementAndGet();
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void progressListenersAreCalledPeriodicallyAndOnceOnFinishNeverConcurrently(ThreadKind kind)
      throws Exception {
    Recorder recorder = new Recorder();
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(range(1_000))
            .map(
                "m",
                on(kind, Stage.workers(4)),
                x -> {
                  if (x == 500) {
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  }
                  return x;
                })
            .forEach("t", 1, x -> {})
            .progress(Duration.ofMillis(2), recorder)
            .start();
    try {
      assertThat(recorder.threeSnapshots.await(10, TimeUnit.SECONDS))
          .as("three periodic snapshots while the pipeline is held")
          .isTrue();
      assertThat(handle.isDone()).isFalse();
    } finally {
      release.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(recorder.problems).isEmpty();
    assertThat(recorder.finish).hasSize(1);
    PipelineStats last = recorder.finish.get(0);
    assertThat(last.state()).isEqualTo(PipelineStats.State.SUCCEEDED);
    assertThat(last).isEqualTo(result.stats());
    assertThat(last.stage("t").received()).isEqualTo(1_000);
    assertThat(recorder.progress)
        .hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(s -> assertThat(s.state()).isEqualTo(PipelineStats.State.RUNNING));
  }

  @Test
  @Timeout(30)
  void aThrowingListenerIsDroppedAndThePipelineGoesOn() throws Exception {
    AtomicInteger thrower = new AtomicInteger();
    ProgressListener throwing =
        stats -> {
          thrower.incrementAndGet();
          throw new IllegalStateException("listener breaks");
        };
    Recorder healthy = new Recorder();
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(range(100))
            .map(
                "m",
                2,
                x -> {
                  if (x == 50) {
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  }
                  return x;
                })
            .forEach("t", 1, x -> {})
            .progress(Duration.ofMillis(2), throwing)
            .progress(Duration.ofMillis(2), healthy)
            .start();
    try {
      // Three periods of the healthy listener after the throwing one was first called.
      assertThat(healthy.threeSnapshots.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(() -> thrower.get() >= 1, "the throwing listener to be called");
      int before = healthy.progress.size();
      Waiting.until(() -> healthy.progress.size() >= before + 3, "three more snapshots");
    } finally {
      release.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(result.delivered()).isEqualTo(100);
    assertThat(thrower.get()).as("calls to the listener that threw").isEqualTo(1);
    assertThat(healthy.finish).hasSize(1);
    assertThat(healthy.problems).isEmpty();
  }
}
