package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.isWaiting;
import static dev.sluice.pipeline.FlowProbes.on;
import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Emitter;
import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineResult;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import dev.sluice.pipeline.FlowProbes.SeenThreads;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.CountingIterator;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ordered stages ({@link Stage#ordered()}) emit in source order whatever the per-item delays, and
 * start no item a whole window ahead of the oldest item not yet emitted; keyed stages ({@link
 * Stage#keyedBy}) keep one item per key in flight, in input order, and park at most {@code
 * capacity} items behind busy keys.
 */
@ExtendWith(ThreadLeakExtension.class)
class PipelineOrderingTest {

  private static final int N = 400;

  /**
   * Random work of up to half a millisecond, with one item in ten taking up to three: enough for
   * later items to overtake earlier ones on another worker.
   */
  private static void work() throws InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long nanos = random.nextInt(10) == 0 ? random.nextLong(3_000_000) : random.nextLong(500_000);
    TimeUnit.NANOSECONDS.sleep(nanos);
  }

  // ---------------------------------------------------------------------------------------------
  // Source order

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void orderedMapEmitsInSourceOrderUnderRandomDelays(ThreadKind kind) throws Exception {
    List<Integer> out =
        Pipeline.from(range(N))
            .map(
                "m",
                on(kind, Stage.workers(8)).ordered(),
                x -> {
                  work();
                  return x;
                })
            .toList()
            .run()
            .value();
    assertThat(out).isEqualTo(range(N));
  }

  /** The control for the test above: the same delays do reorder an unordered stage. */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void theSameDelaysReorderAnUnorderedStage(ThreadKind kind) throws Exception {
    List<Integer> out =
        Pipeline.from(range(N))
            .map(
                "m",
                on(kind, Stage.workers(8)),
                x -> {
                  work();
                  return x;
                })
            .toList()
            .run()
            .value();
    assertThat(out).containsExactlyInAnyOrderElementsOf(range(N)).isNotEqualTo(range(N));
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void orderedFilterKeepsSourceOrderUnderRandomDelays(ThreadKind kind) throws Exception {
    PipelineResult<List<Integer>> result =
        Pipeline.from(range(N))
            .filter(
                "f",
                on(kind, Stage.workers(8)).ordered(),
                x -> {
                  work();
                  return x % 3 != 0;
                })
            .toList()
            .run();
    assertThat(result.value()).isEqualTo(range(N).stream().filter(x -> x % 3 != 0).toList());
    assertThat(result.stage("f").filtered()).isEqualTo((N + 2) / 3);
  }

  /** Item x emits x%4 outputs x*10, x*10+1, ..., with work between them. */
  private static void fanOut(int x, Emitter<Integer> out) throws InterruptedException {
    for (int j = 0; j < x % 4; j++) {
      work();
      out.emit(x * 10 + j);
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void orderedFlatMapKeepsTheOutputsOfOneInputTogetherInSourceOrder(ThreadKind kind)
      throws Exception {
    List<Integer> out =
        Pipeline.from(range(N))
            .<Integer>flatMap("fm", on(kind, Stage.workers(8)).ordered(), (x, o) -> fanOut(x, o))
            .toList()
            .run()
            .value();
    List<Integer> expected = new ArrayList<>();
    for (int x = 0; x < N; x++) {
      fanOut(x, expected::add);
    }
    assertThat(out).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void orderedBatchesHoldConsecutiveItemsAndLeaveInSourceOrder(ThreadKind kind) throws Exception {
    List<List<Integer>> batches =
        Pipeline.from(range(N))
            .map(
                "jitter",
                on(kind, Stage.workers(8)).ordered(),
                x -> {
                  work();
                  return x;
                })
            .batch("b", on(kind, Stage.workers(4)).ordered(), 5, Duration.ofMillis(1))
            .toList()
            .run()
            .value();
    assertThat(batches).allSatisfy(b -> assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(5));
    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(range(N));
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aChainOfOrderedStagesOfEveryKindKeepsSourceOrder(ThreadKind kind) throws Exception {
    List<List<Integer>> batches =
        Pipeline.from(range(N))
            .map(
                "m",
                on(kind, Stage.workers(4)).ordered(),
                x -> {
                  work();
                  return x + 1;
                })
            .filter(
                "f",
                on(kind, Stage.workers(3)).ordered(),
                x -> {
                  work();
                  return x % 5 != 0;
                })
            .<Integer>flatMap("fm", on(kind, Stage.workers(5)).ordered(), (x, o) -> fanOut(x, o))
            .batch("b", on(kind, Stage.workers(2)).ordered(), 7, Duration.ofMillis(2))
            .toList()
            .run()
            .value();
    List<Integer> expected = new ArrayList<>();
    for (int x = 0; x < N; x++) {
      if ((x + 1) % 5 != 0) {
        fanOut(x + 1, expected::add);
      }
    }
    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(expected);
  }

  // ---------------------------------------------------------------------------------------------
  // The reorder window

  /**
   * Reorderer's overview: a worker takes number {@code next} only while {@code next - head <
   * window}, and {@code head} moves past an item only when it is emitted. So while item 0 is held
   * (head = 0), exactly items 0 to {@code window - 1} can start: {@code window - 1} besides the
   * head, and not one more. Checked with fewer workers than the window (the workers cycle) and with
   * as many.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void whileTheHeadItemIsHeldExactlyWindowMinusOneOtherItemsStart(ThreadKind kind)
      throws Exception {
    holdTheHeadOfTheWindow(kind, 3, 8, false);
    holdTheHeadOfTheWindow(kind, 4, 4, false);
  }

  /**
   * StageStats: busy workers are those processing an item, "not waiting for input or for room
   * downstream". With the head held, the other workers wait for the window to move: only the head's
   * worker is busy.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void workersWaitingForTheReorderWindowAreNotBusy(ThreadKind kind) throws Exception {
    holdTheHeadOfTheWindow(kind, 3, 8, true);
  }

  /**
   * Holds item 0 of an ordered stage until the stage is quiet, then checks the window bound and, if
   * {@code checkBusy}, that only the head's worker counts as busy.
   */
  private void holdTheHeadOfTheWindow(ThreadKind kind, int workers, int window, boolean checkBusy)
      throws Exception {
    int n = 100;
    int capacity = 16;
    SeenThreads threads = new SeenThreads(kind, "stage");
    CountDownLatch release = new CountDownLatch(1);
    Set<Integer> started = new ConcurrentSkipListSet<>();
    AtomicReference<Thread> head = new AtomicReference<>();
    PipelineHandle<List<Integer>> handle =
        Pipeline.from(range(n))
            .map(
                "m",
                Stage.workers(workers).threadFactory(threads).capacity(capacity).ordered(window),
                x -> {
                  started.add(x);
                  if (x == 0) {
                    head.set(Thread.currentThread());
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  }
                  return x;
                })
            .toList()
            .start();
    try {
      // Quiet: the head is held, the window's items have started (as they must), every other
      // worker is parked and the source has filled the input. A worker still free to start an item
      // would be running, not parked, and an item started beyond the window shows in `started`.
      // (Waiting for the expected count first keeps a worker that is only about to run, still
      // shown as parked, from making the check early.)
      Waiting.until(
          () -> {
            Thread h = head.get();
            if (h == null
                || started.size() < window
                || handle.stats().stage("m").queued() < capacity) {
              return false;
            }
            int parked = 0;
            for (Thread t : threads.threads()) {
              if (t != h && t.isAlive()) {
                if (!isWaiting(t)) {
                  return false;
                }
                parked++;
              }
            }
            return parked == workers - 1;
          },
          "the head item held, the other workers parked and the input full");
      assertThat(started)
          .as("items started while item 0 is held (workers %d, window %d)", workers, window)
          .containsExactlyElementsOf(range(window));
      assertThat(handle.stats().stage("m").received()).isEqualTo(window);
      if (checkBusy) {
        StageStats m = handle.stats().stage("m");
        assertThat(m.busyWorkers()).as("busy workers of %s", m).isEqualTo(1);
      }
    } finally {
      release.countDown();
    }
    assertThat(handle.await().value()).isEqualTo(range(n));
  }

  // ---------------------------------------------------------------------------------------------
  // Keyed stages

  /**
   * Items with the same key run one at a time and in input order; items of different keys run at
   * once: the first items of keys 0 and 1 meet at a barrier that only two items running at the same
   * time can pass.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void keyedStageRunsOneItemPerKeyInInputOrderAndDifferentKeysInParallel(ThreadKind kind)
      throws Exception {
    int keys = 5;
    AtomicInteger[] inFlight = new AtomicInteger[keys];
    List<List<Integer>> processed = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      inFlight[k] = new AtomicInteger();
      processed.add(Collections.synchronizedList(new ArrayList<>()));
    }
    AtomicInteger maxPerKey = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CyclicBarrier firstOfKeys0And1 = new CyclicBarrier(2);
    List<Integer> out =
        Pipeline.from(range(N))
            .map(
                "keyed",
                on(kind, Stage.workers(4)).capacity(8).<Integer>keyedBy(x -> x % keys),
                x -> {
                  int k = x % keys;
                  maxPerKey.accumulateAndGet(inFlight[k].incrementAndGet(), Math::max);
                  maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                  try {
                    if (x == 0 || x == 1) {
                      firstOfKeys0And1.await(10, TimeUnit.SECONDS);
                    }
                    work();
                    processed.get(k).add(x);
                    return x;
                  } finally {
                    running.decrementAndGet();
                    inFlight[k].decrementAndGet();
                  }
                })
            .toList()
            .run()
            .value();
    assertThat(maxPerKey.get()).as("items of one key in flight at once").isEqualTo(1);
    assertThat(maxRunning.get()).as("items in flight at once").isGreaterThan(1);
    for (int k = 0; k < keys; k++) {
      int key = k;
      List<Integer> ofKey = range(N).stream().filter(x -> x % keys == key).toList();
      assertThat(processed.get(k)).as("processing order of key %d", k).isEqualTo(ofKey);
      assertThat(out.stream().filter(x -> x % keys == key).toList())
          .as("output order of key %d", k)
          .isEqualTo(ofKey);
    }
    assertThat(out).hasSize(N);
  }

  /**
   * With every item on one key and the first one held, the other worker parks items behind the busy
   * key until {@code capacity} are parked, then waits: the stage has received exactly {@code 1 +
   * capacity} items, its input holds {@code capacity} more and the source one in hand.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void itemsParkedBehindABusyKeyAreBoundedByTheCapacity(ThreadKind kind) throws Exception {
    holdAHotKey(kind, false);
  }

  /**
   * StageStats: busy workers are those processing an item. With one hot key held, the other worker
   * waits for room to park more items: it is not busy, and more workers would not help.
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void aWorkerWaitingForRoomToParkBehindABusyKeyIsNotBusy(ThreadKind kind) throws Exception {
    holdAHotKey(kind, true);
  }

  private void holdAHotKey(ThreadKind kind, boolean checkBusy) throws Exception {
    int capacity = 5;
    int n = 200;
    SeenThreads threads = new SeenThreads(kind, "stage");
    AtomicReference<Thread> source = new AtomicReference<>();
    CountingIterator items = new CountingIterator(n, pulled -> source.set(Thread.currentThread()));
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> head = new AtomicReference<>();
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    PipelineHandle<Void> handle =
        Pipeline.from(items)
            .forEach(
                "hot",
                Stage.workers(2).threadFactory(threads).capacity(capacity).keyedBy(x -> "hot"),
                x -> {
                  if (x == 0) {
                    head.set(Thread.currentThread());
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                  }
                  seen.add(x);
                })
            .start();
    try {
      Waiting.until(
          () -> {
            Thread h = head.get();
            Thread s = source.get();
            if (h == null || s == null || !isWaiting(s)) {
              return false;
            }
            if (items.pulled() < 2 * capacity + 2
                || handle.stats().stage("hot").received() < 1 + capacity
                || handle.stats().stage("hot").queued() < capacity) {
              return false;
            }
            return threads.allParkedExcept(List.of(h), 1);
          },
          "the head held, the other worker and the source parked, the input full");
      assertThat(handle.stats().stage("hot").received())
          .as("received: one in hand and `capacity` parked")
          .isEqualTo(1 + capacity);
      assertThat(items.pulled())
          .as("pulled: received, plus a full input, plus one in the source's hand")
          .isEqualTo(1 + capacity + capacity + 1);
      if (checkBusy) {
        StageStats hot = handle.stats().stage("hot");
        assertThat(hot.busyWorkers()).as("busy workers of %s", hot).isEqualTo(1);
      }
    } finally {
      release.countDown();
    }
    PipelineResult<Void> result = handle.await();
    assertThat(seen).isEqualTo(range(n));
    assertThat(result.delivered()).isEqualTo(n);
  }
}
