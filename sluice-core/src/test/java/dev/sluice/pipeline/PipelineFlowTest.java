package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.isWaiting;
import static dev.sluice.pipeline.FlowProbes.on;
import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Channel;
import dev.sluice.ErrorPolicy;
import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.Stage;
import dev.sluice.pipeline.FlowProbes.SeenThreads;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.CountingIterator;
import dev.sluice.tg.RandomTree;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How items move: lazy sources are pulled only as room appears, a slow terminal holds back every
 * stage, {@code expand} goes depth first and ends exactly when its tree is done, {@code batch}
 * respects its size and its wait, and a producer source ends when its last producer returns.
 *
 * <p>The bounds asserted are exact: they count where an item can be when everything upstream of a
 * blocked stage is parked, each worker holding one item, each input channel full, and the source
 * holding the one item it could not send.
 */
@ExtendWith(ThreadLeakExtension.class)
class PipelineFlowTest {

  // ---------------------------------------------------------------------------------------------
  // Lazy sources and backpressure

  /**
   * A first stage of W workers blocked with its input (capacity C) full: the source has pulled W
   * items that the workers hold, C in the input and one it is trying to send; C + W + 1 in all.
   * While the pipeline runs, the source never gets further ahead of the stage than that.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aLazySourceIsPulledOnlyAsRoomAppears(ThreadKind kind) throws Exception {
    int workers = 3;
    int capacity = 4;
    int n = 1_000;
    int bound = capacity + workers + 1;
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger maxAhead = new AtomicInteger();
    AtomicReference<Thread> source = new AtomicReference<>();
    CountingIterator items =
        new CountingIterator(
            n,
            pulled -> {
              source.set(Thread.currentThread());
              maxAhead.accumulateAndGet(pulled - finished.get(), Math::max);
            });
    CountDownLatch entered = new CountDownLatch(workers);
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(items)
            .map(
                "blocked",
                on(kind, Stage.workers(workers)).capacity(capacity),
                x -> {
                  entered.countDown();
                  assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  finished.incrementAndGet();
                  return x;
                })
            .forEach("sink", 1, x -> {})
            .start();
    try {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () ->
              items.pulled() >= bound
                  && source.get() != null
                  && isWaiting(source.get())
                  && handle.stats().stage("blocked").queued() == capacity,
          "the source to park with the first stage's input full");
      assertThat(items.pulled()).isEqualTo(bound);
      assertThat(handle.stats().stage("blocked").received()).isEqualTo(workers);
      assertThat(handle.stats().stage("source").received()).isEqualTo(bound);
    } finally {
      release.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(result.delivered()).isEqualTo(n);
    assertThat(maxAhead.get())
        .as("items pulled but not yet through the first stage, at any pull")
        .isLessThanOrEqualTo(bound);
  }

  /**
   * A slow terminal: every stage's workers hold one item each (blocked sending it), every input is
   * full, and the source holds one. Items in flight = the sum of the capacities and workers, + 1.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aSlowTerminalBoundsTheItemsInFlightAcrossAllStages(ThreadKind kind) throws Exception {
    int wa = 2;
    int ca = 3;
    int wb = 3;
    int cb = 2;
    int wt = 2;
    int ct = 4;
    int bound = wa + ca + wb + cb + wt + ct + 1;
    int n = 2_000;
    SeenThreads a = new SeenThreads(kind, "a");
    SeenThreads b = new SeenThreads(kind, "b");
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicReference<Thread> source = new AtomicReference<>();
    CountingIterator items =
        new CountingIterator(
            n,
            pulled -> {
              source.set(Thread.currentThread());
              maxInFlight.accumulateAndGet(pulled - delivered.get(), Math::max);
            });
    CountDownLatch entered = new CountDownLatch(wt);
    CountDownLatch release = new CountDownLatch(1);
    PipelineHandle<Void> handle =
        Pipeline.from(items)
            .map("a", Stage.workers(wa).threadFactory(a).capacity(ca), x -> x)
            .map("b", Stage.workers(wb).threadFactory(b).capacity(cb), x -> x)
            .forEach(
                "t",
                on(kind, Stage.workers(wt)).capacity(ct),
                x -> {
                  entered.countDown();
                  assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  delivered.incrementAndGet();
                })
            .start();
    try {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () -> {
            Thread s = source.get();
            PipelineStats stats = handle.stats();
            return items.pulled() >= bound
                && s != null
                && isWaiting(s)
                && a.allParkedExcept(List.of(), wa)
                && b.allParkedExcept(List.of(), wb)
                && stats.stage("a").queued() == ca
                && stats.stage("b").queued() == cb
                && stats.stage("t").queued() == ct;
          },
          "every stage before the terminal parked with full inputs");
      assertThat(items.pulled()).isEqualTo(bound);
      PipelineStats stats = handle.stats();
      assertThat(stats.stage("a").received()).isEqualTo(wa + cb + wb + ct + wt);
      assertThat(stats.stage("t").received()).isEqualTo(wt);
    } finally {
      release.countDown();
    }
    assertThat(handle.await().delivered()).isEqualTo(n);
    assertThat(maxInFlight.get())
        .as("items pulled but not yet consumed by the terminal, at any pull")
        .isLessThanOrEqualTo(bound);
  }

  // ---------------------------------------------------------------------------------------------
  // expand

  /**
   * Three input roots, each with a small tree. With one worker, each root's whole tree is processed
   * before the next root (follow-ups before new input), depth first, the newest follow-up first (as
   * {@link dev.sluice.TaskGroup} documents for follow-ups).
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void expandTakesFollowUpsBeforeNewInputDepthFirst(ThreadKind kind) throws Exception {
    Map<Integer, List<Integer>> children =
        Map.of(
            0, List.of(1, 2),
            1, List.of(3, 4),
            2, List.of(5),
            100, List.of(101, 102),
            101, List.of(103));
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<PipelineHandle<List<Integer>>> ref = new AtomicReference<>();
    PipelineHandle<List<Integer>> handle =
        Pipeline.from(List.of(0, 100, 200))
            .<Integer>expand(
                "walk",
                on(kind, Stage.workers(1)),
                (n, out) -> {
                  if (n == 0) {
                    // Let the later roots reach the stage first, so that they compete with the
                    // follow-ups (and must lose).
                    Waiting.until(
                        () -> ref.get() != null && ref.get().stats().stage("walk").received() == 3,
                        "the stage to take every root");
                  }
                  order.add(n);
                  out.emit(n);
                  for (int c : children.getOrDefault(n, List.of())) {
                    out.followUp(c);
                  }
                })
            .toList()
            .start();
    ref.set(handle);
    PipelineResult<List<Integer>> result = handle.await();
    assertThat(order).containsExactly(0, 2, 5, 1, 4, 3, 100, 102, 101, 103, 200);
    assertThat(result.value()).containsExactlyElementsOf(order);
    assertThat(result.stage("walk").followUps()).isEqualTo(8);
  }

  static Stream<Arguments> trees() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 42;
    for (ThreadKind kind : ThreadKind.values()) {
      for (int workers : new int[] {1, 3, 8}) {
        for (int window : new int[] {1, 4, 100}) {
          cases.add(Arguments.of(kind, workers, window, seed++));
        }
      }
    }
    return cases.stream();
  }

  /** Random forests, from chains to bushes: every node is processed exactly once, then it ends. */
  @ParameterizedTest(name = "{0}, {1} workers, window {2}, seed {3}")
  @MethodSource("trees")
  @Timeout(30)
  void expandOverARandomTreeVisitsEveryNodeExactlyOnceAndEnds(
      ThreadKind kind, int workers, int window, long seed) throws Exception {
    RandomTree tree = new RandomTree(3_000, window, 200, seed);
    AtomicInteger[] visits = new AtomicInteger[tree.size];
    for (int i = 0; i < tree.size; i++) {
      visits[i] = new AtomicInteger();
    }
    PipelineResult<List<Integer>> result =
        Pipeline.from(tree.roots)
            .<Integer>expand(
                "walk",
                on(kind, Stage.workers(workers)).capacity(2),
                (node, out) -> {
                  visits[node].incrementAndGet();
                  out.emit(node);
                  for (int child : tree.children.get(node)) {
                    out.followUp(child);
                  }
                })
            .toList()
            .run();
    assertThat(result.value())
        .as(tree.toString())
        .containsExactlyInAnyOrderElementsOf(range(tree.size));
    for (int i = 0; i < tree.size; i++) {
      assertThat(visits[i].get()).as("visits of node %d in %s", i, tree).isEqualTo(1);
    }
    assertThat(result.stage("walk").received()).isEqualTo(tree.roots.size());
    assertThat(result.stage("walk").followUps()).isEqualTo(tree.size - tree.roots.size());
    assertThat(result.stage("walk").succeeded()).isEqualTo(tree.size);
  }

  /**
   * An expand stage of W workers, all blocked, with input capacity C: the group holds C input items
   * waiting for a worker, the intake holds one it cannot submit, the input channel C more and the
   * source one. Follow-ups are not bounded: once released, each item adds many without waiting.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void expandInputCapacityBoundsTheBacklogOfNewInputButNotFollowUps(ThreadKind kind)
      throws Exception {
    int workers = 2;
    int capacity = 3;
    int roots = 40;
    int followUpsEach = 50;
    SeenThreads threads = new SeenThreads(kind, "walk");
    AtomicReference<Thread> source = new AtomicReference<>();
    CountingIterator items = new CountingIterator(roots, p -> source.set(Thread.currentThread()));
    CountDownLatch entered = new CountDownLatch(workers);
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> holders = Collections.synchronizedList(new ArrayList<>());
    PipelineHandle<List<Integer>> handle =
        Pipeline.from(items)
            .<Integer>expand(
                "walk",
                Stage.workers(workers).threadFactory(threads).capacity(capacity),
                (n, out) -> {
                  if (n < roots) {
                    if (entered.getCount() > 0) {
                      holders.add(Thread.currentThread());
                      entered.countDown();
                    }
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                    for (int i = 1; i <= followUpsEach; i++) {
                      out.followUp(1_000_000 + n * 1_000 + i);
                    }
                  }
                  out.emit(n);
                })
            .toList()
            .start();
    try {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Waiting.until(
          () ->
              items.pulled() >= workers + capacity + 1 + capacity + 1
                  && handle.stats().stage("walk").received() >= workers + capacity + 1
                  && source.get() != null
                  && isWaiting(source.get())
                  && threads.allParkedExcept(List.copyOf(holders), 1)
                  && handle.stats().stage("walk").queued() == capacity,
          "the intake and the source to park with the expand input full");
      assertThat(handle.stats().stage("walk").received())
          .as("received: W running, C queued in the group, 1 in the intake's hand")
          .isEqualTo(workers + capacity + 1);
      assertThat(items.pulled()).isEqualTo(workers + capacity + 1 + capacity + 1);
    } finally {
      release.countDown();
    }
    PipelineResult<List<Integer>> result = handle.await();
    assertThat(result.value()).hasSize(roots * (1 + followUpsEach));
    assertThat(result.stage("walk").followUps()).isEqualTo((long) roots * followUpsEach);
  }

  // ---------------------------------------------------------------------------------------------
  // batch

  @Test
  @Timeout(30)
  void aPartialBatchIsEmittedOnceMaxWaitHasPassed() throws Exception {
    Channel<Integer> input = Channel.bounded(16);
    BlockingQueue<List<Integer>> batches = new LinkedBlockingQueue<>();
    PipelineHandle<Void> handle =
        Pipeline.from(input)
            .batch("b", 10, Duration.ofMillis(20))
            .forEach("t", 1, batches::put)
            .start();
    for (int i = 0; i < 3; i++) {
      input.send(i);
    }
    assertThat(batches.poll(10, TimeUnit.SECONDS))
        .as("a batch of the 3 items, with the channel still open")
        .containsExactly(0, 1, 2);
    assertThat(handle.isDone()).isFalse();
    for (int i = 3; i < 5; i++) {
      input.send(i);
    }
    assertThat(batches.poll(10, TimeUnit.SECONDS)).containsExactly(3, 4);
    input.close();
    PipelineResult<Void> result = handle.await();
    assertThat(batches).isEmpty();
    assertThat(result.stage("b").emitted()).isEqualTo(2);
    assertThat(result.stage("b").succeeded()).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void batchesRespectTheirSizeAndOnlyEachWorkersLastBatchIsShort(ThreadKind kind) throws Exception {
    int n = 1_000;
    int size = 7;
    List<List<Integer>> one =
        Pipeline.from(range(n))
            .batch("b", on(kind, Stage.workers(1)), size, Duration.ofMinutes(1))
            .toList()
            .run()
            .value();
    assertThat(one).hasSize(n / size + 1);
    assertThat(one.subList(0, n / size)).allSatisfy(b -> assertThat(b).hasSize(size));
    assertThat(one.get(n / size)).hasSize(n % size);
    assertThat(one.stream().flatMap(List::stream).toList()).isEqualTo(range(n));

    int workers = 3;
    List<List<Integer>> many =
        Pipeline.from(range(n))
            .batch("b", on(kind, Stage.workers(workers)), size, Duration.ofMinutes(1))
            .toList()
            .run()
            .value();
    assertThat(many).allSatisfy(b -> assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(size));
    assertThat(many.stream().filter(b -> b.size() < size).count()).isLessThanOrEqualTo(workers);
    assertThat(many.stream().flatMap(List::stream).toList())
        .containsExactlyInAnyOrderElementsOf(range(n));
  }

  // ---------------------------------------------------------------------------------------------
  // producers

  /**
   * Producers 0-2 return at once; producer 3 waits until they have and their items are delivered,
   * then emits more: those must still get through, so the source had not ended.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void theProducerSourceEndsOnlyWhenEveryProducerHasReturned(ThreadKind kind) throws Exception {
    int each = 10;
    CountDownLatch othersReturned = new CountDownLatch(3);
    CountDownLatch othersDelivered = new CountDownLatch(3 * each);
    CountDownLatch late = new CountDownLatch(1);
    List<Integer> got = Collections.synchronizedList(new ArrayList<>());
    PipelineHandle<Void> handle =
        Pipeline.<Integer>fromProducers(
                "produce",
                on(kind, Stage.workers(4)),
                (i, out) -> {
                  if (i == 3) {
                    assertThat(late.await(20, TimeUnit.SECONDS)).isTrue();
                  }
                  try {
                    for (int k = 0; k < each; k++) {
                      out.emit(i * 100 + k);
                    }
                  } finally {
                    if (i != 3) {
                      othersReturned.countDown();
                    }
                  }
                })
            .map("id", 2, x -> x)
            .forEach(
                "t",
                1,
                x -> {
                  got.add(x);
                  if (x < 300) {
                    othersDelivered.countDown();
                  }
                })
            .start();
    try {
      assertThat(othersReturned.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(othersDelivered.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(handle.isDone()).isFalse();
      assertThat(handle.stats().state()).isEqualTo(PipelineStats.State.RUNNING);
    } finally {
      late.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(result.delivered()).isEqualTo(4 * each);
    assertThat(got).contains(300, 309).hasSize(4 * each);
    assertThat(result.sourceItems()).isEqualTo(4 * each);
  }

  /**
   * Under skip, producer 2 emits three items and throws; the others wait until the failure has been
   * counted and then emit theirs, which all get through.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aFailingProducerUnderSkipIsCountedAndTheOthersGoOn(ThreadKind kind) throws Exception {
    int each = 10;
    AtomicReference<PipelineHandle<List<Integer>>> ref = new AtomicReference<>();
    PipelineHandle<List<Integer>> handle =
        Pipeline.<Integer>fromProducers(
                "produce",
                on(kind, Stage.workers(5)).onError(ErrorPolicy.skip()),
                (i, out) -> {
                  if (i == 2) {
                    for (int k = 0; k < 3; k++) {
                      out.emit(i * 100 + k);
                    }
                    throw new IllegalStateException("producer 2 breaks");
                  }
                  Waiting.until(
                      () -> ref.get() != null && ref.get().stats().stage("produce").failed() == 1,
                      "producer 2's failure to be counted");
                  for (int k = 0; k < each; k++) {
                    out.emit(i * 100 + k);
                  }
                })
            .map("id", 2, x -> x)
            .toList()
            .start();
    ref.set(handle);
    PipelineResult<List<Integer>> result = handle.await();
    assertThat(result.value()).hasSize(4 * each + 3).contains(200, 202, 0, 409);
    assertThat(result.stage("produce").failed()).isEqualTo(1);
    assertThat(result.failed()).isEqualTo(1);
    assertThat(result.sourceItems()).isEqualTo(4 * each + 3);
    assertThat(result.stats().state()).isEqualTo(PipelineStats.State.SUCCEEDED);
  }
}
