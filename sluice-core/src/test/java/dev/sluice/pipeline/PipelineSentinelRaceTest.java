package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.Stage;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.ThreadKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed's sentinel race, made deterministic, and the same workload through {@link Pipeline}.
 *
 * <p>The naive two-step pipeline is written the "poison pill" way: two pools joined by a {@link
 * LinkedBlockingQueue}; the producer puts the items and then one pill; a step-1 worker that takes
 * the pill puts it back for its siblings, forwards it downstream and exits; a step-2 worker that
 * takes the pill puts it back for its siblings and exits. The race: the pill overtakes an item that
 * a slow step-1 worker still holds. Step 2 stops, and the slow worker's result lands in a queue
 * nobody reads: lost, although every thread ended "cleanly". The test pins the interleaving with a
 * latch: the slow item's step-1 function returns only once every step-2 worker has exited.
 *
 * <p>In {@link Pipeline} the end of the input is the close of a channel, which a stage passes on
 * only after its last worker has finished: the slow item waits until everything else has been
 * delivered and the source is exhausted (the moment the naive pill overtakes it), and is still
 * delivered.
 */
@ExtendWith(ThreadLeakExtension.class)
class PipelineSentinelRaceTest {

  private static final Object PILL = new Object();
  private static final int ITEMS = 50;
  private static final int STEP1_WORKERS = 2;
  private static final int STEP2_WORKERS = 3;

  /** What a naive run ended with. */
  record NaiveOutcome(List<Integer> delivered, List<Object> strandedInQueue2) {}

  /**
   * The poison-pill pipeline; the step-1 call for item 0 returns once every step-2 worker exited.
   */
  private static NaiveOutcome naiveTwoStep(ThreadKind kind) throws Exception {
    BlockingQueue<Object> q1 = new LinkedBlockingQueue<>();
    BlockingQueue<Object> q2 = new LinkedBlockingQueue<>();
    ConcurrentLinkedQueue<Integer> delivered = new ConcurrentLinkedQueue<>();
    CountDownLatch step2Exited = new CountDownLatch(STEP2_WORKERS);
    ExecutorService pool1 = pool(kind, STEP1_WORKERS);
    ExecutorService pool2 = pool(kind, STEP2_WORKERS);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int w = 0; w < STEP1_WORKERS; w++) {
        futures.add(
            pool1.submit(
                () -> {
                  while (true) {
                    Object x = q1.take();
                    if (x == PILL) {
                      q1.put(PILL); // for the siblings
                      q2.put(PILL); // the end, downstream
                      return null;
                    }
                    int item = (Integer) x;
                    if (item == 0) {
                      step2Exited.await(); // the slow item: the pill overtakes it
                    }
                    q2.put(item * 10);
                  }
                }));
      }
      for (int w = 0; w < STEP2_WORKERS; w++) {
        futures.add(
            pool2.submit(
                () -> {
                  try {
                    while (true) {
                      Object x = q2.take();
                      if (x == PILL) {
                        q2.put(PILL);
                        return null;
                      }
                      delivered.add((Integer) x);
                    }
                  } finally {
                    step2Exited.countDown();
                  }
                }));
      }
      for (int i = 0; i < ITEMS; i++) {
        q1.put(i);
      }
      q1.put(PILL);
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS); // every worker of the naive pipeline ends normally
      }
    } finally {
      pool1.shutdownNow();
      pool2.shutdownNow();
      assertThat(pool1.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pool2.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    List<Object> stranded = new ArrayList<>();
    for (Object o : q2) {
      if (o != PILL) {
        stranded.add(o);
      }
    }
    return new NaiveOutcome(new ArrayList<>(delivered), stranded);
  }

  private static ExecutorService pool(ThreadKind kind, int threads) {
    return kind == ThreadKind.VIRTUAL
        ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("naive-", 0).factory())
        : Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("naive-", 0).factory());
  }

  private static List<Integer> expected() {
    return IntStream.range(0, ITEMS).map(i -> i * 10).boxed().toList();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void theNaivePoisonPillPipelineLosesTheItemThePillOvertook(ThreadKind kind) throws Exception {
    NaiveOutcome outcome = naiveTwoStep(kind);
    assertThat(outcome.delivered())
        .as("delivered by the naive pipeline")
        .hasSize(ITEMS - 1)
        .doesNotContain(0)
        .containsAll(expected().subList(1, ITEMS));
    assertThat(outcome.strandedInQueue2())
        .as("results left in the queue after every worker exited")
        .containsExactly(0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(30)
  void pipelineDeliversTheSlowItemAfterEverythingElseHasEnded(ThreadKind kind) throws Exception {
    TrackingThreads threads =
        kind == ThreadKind.VIRTUAL ? TrackingThreads.virtual() : TrackingThreads.platform();
    CountDownLatch othersDelivered = new CountDownLatch(ITEMS - 1);
    CountDownLatch sourceExhausted = new CountDownLatch(1);
    Iterable<Integer> source =
        () ->
            new Iterator<>() {
              int next;

              @Override
              public boolean hasNext() {
                if (next < ITEMS) {
                  return true;
                }
                sourceExhausted.countDown();
                return false;
              }

              @Override
              public Integer next() {
                return next++;
              }
            };
    ConcurrentLinkedQueue<Integer> delivered = new ConcurrentLinkedQueue<>();
    PipelineResult<Void> result =
        Pipeline.from(source)
            .map(
                "step1",
                Stage.workers(STEP1_WORKERS).threadFactory(threads),
                x -> {
                  if (x == 0) {
                    // Where the naive pill overtakes it: nothing else left anywhere.
                    sourceExhausted.await();
                    othersDelivered.await();
                  }
                  return x * 10;
                })
            .forEach(
                "step2",
                Stage.workers(STEP2_WORKERS).threadFactory(threads),
                x -> {
                  delivered.add(x);
                  if (x != 0) {
                    othersDelivered.countDown();
                  }
                })
            .run();
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(expected());
    assertThat(result.delivered()).isEqualTo(ITEMS);
    assertThat(result.stage("step1").succeeded()).isEqualTo(ITEMS);
    threads.assertAllEnded();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(60)
  void pipelineDeliversEveryItemExactlyOnceUnderRandomDelays(ThreadKind kind) throws Exception {
    for (int round = 0; round < 100; round++) {
      TrackingThreads threads =
          kind == ThreadKind.VIRTUAL ? TrackingThreads.virtual() : TrackingThreads.platform();
      ConcurrentLinkedQueue<Integer> delivered = new ConcurrentLinkedQueue<>();
      Pipeline.from(IntStream.range(0, ITEMS).boxed().toList())
          .map(
              "step1",
              Stage.workers(STEP1_WORKERS).threadFactory(threads),
              x -> {
                if (ThreadLocalRandom.current().nextInt(4) == 0) {
                  Thread.yield(); // let the end of input try to overtake this item
                }
                return x * 10;
              })
          .forEach("step2", Stage.workers(STEP2_WORKERS).threadFactory(threads), delivered::add)
          .run();
      assertThat(delivered).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected());
      threads.assertAllEnded();
    }
  }
}
