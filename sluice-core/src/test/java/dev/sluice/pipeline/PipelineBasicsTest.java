package dev.sluice.pipeline;

import static dev.sluice.pipeline.FlowProbes.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Channel;
import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.Stage;
import dev.sluice.testing.ThreadLeakExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sources, stages and terminals doing their basic job. */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(30)
class PipelineBasicsTest {

  @Test
  void mapStagesDeliverEveryItemExactlyOnce() throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    List<Integer> duplicates = new ArrayList<>();
    PipelineResult<Void> result =
        Pipeline.from(range(10_000))
            .map("plus1", 4, x -> x + 1)
            .map("times2", Stage.workers(3).platformThreads(), x -> x * 2)
            .forEach(
                "collect",
                2,
                x -> {
                  if (!seen.add(x)) {
                    synchronized (duplicates) {
                      duplicates.add(x);
                    }
                  }
                })
            .run();
    assertThat(duplicates).isEmpty();
    assertThat(seen)
        .as("each (x + 1) * 2 once")
        .isEqualTo(range(10_000).stream().map(x -> (x + 1) * 2).collect(Collectors.toSet()));
    assertThat(result.sourceItems()).isEqualTo(10_000);
    assertThat(result.delivered()).isEqualTo(10_000);
    assertThat(result.stage("plus1").received()).isEqualTo(10_000);
    assertThat(result.stage("times2").emitted()).isEqualTo(10_000);
  }

  @Test
  void toListCollectsInSourceOrderWhenEveryStageIsOrdered() throws Exception {
    List<Integer> list =
        Pipeline.from(range(2_000))
            .map(
                "jitter",
                Stage.workers(8).ordered(),
                x -> {
                  if (x % 7 == 0) {
                    Thread.yield();
                  }
                  return x;
                })
            .toList()
            .run()
            .value();
    assertThat(list).isEqualTo(range(2_000));
  }

  @Test
  void filterAndFlatMapCountWhatTheyDropAndEmit() throws Exception {
    PipelineResult<List<Integer>> result =
        Pipeline.from(range(100).iterator())
            .filter("even", 2, x -> x % 2 == 0)
            .<Integer>flatMap(
                "twice",
                2,
                (x, out) -> {
                  out.emit(x);
                  out.emit(x);
                })
            .toList()
            .run();
    assertThat(result.value()).hasSize(100);
    assertThat(result.stage("even").filtered()).isEqualTo(50);
    assertThat(result.stage("even").emitted()).isEqualTo(50);
    assertThat(result.stage("twice").emitted()).isEqualTo(100);
    assertThat(result.filtered()).isEqualTo(50);
  }

  @Test
  void streamSourceIsPulledLazilyAndClosed() throws Exception {
    AtomicInteger pulled = new AtomicInteger();
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger mostAhead = new AtomicInteger();
    AtomicBoolean closed = new AtomicBoolean();
    Stream<Integer> stream =
        Stream.iterate(0, x -> x + 1)
            .limit(1000)
            .peek(
                x ->
                    mostAhead.accumulateAndGet(
                        pulled.incrementAndGet() - consumed.get(), Math::max))
            .onClose(() -> closed.set(true));
    List<Integer> sunk = new ArrayList<>();
    Pipeline.from(stream)
        .forEach(
            "sink",
            Stage.workers(1).capacity(4),
            x -> {
              sunk.add(x);
              consumed.incrementAndGet();
            })
        .run();
    assertThat(sunk).isEqualTo(range(1000));
    // Pulled only as the sink takes: at most the sink's item, its 4 buffered ones and the one
    // the source holds while it waits for room. A source read ahead would be hundreds ahead.
    assertThat(mostAhead.get())
        .as("items pulled and not yet consumed, at most")
        .isLessThanOrEqualTo(6);
    assertThat(closed.get()).isTrue();
  }

  @Test
  void channelSourceEndsWhenTheChannelIsClosedAndDrained() throws Exception {
    Channel<String> channel = Channel.bounded(4);
    Thread producer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    for (int i = 0; i < 100; i++) {
                      channel.send("s" + i);
                    }
                    channel.close();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    PipelineResult<List<String>> result =
        Pipeline.from(channel).map("upper", 3, String::toUpperCase).toList().run();
    producer.join();
    assertThat(result.value())
        .containsExactlyInAnyOrderElementsOf(range(100).stream().map(i -> "S" + i).toList());
    assertThat(result.sourceItems()).isEqualTo(100);
  }

  @Test
  void producersFeedTheFirstStageAndTheSourceEndsWhenAllHaveReturned() throws Exception {
    PipelineResult<List<Integer>> result =
        Pipeline.<Integer>fromProducers(
                "produce",
                20,
                (i, out) -> {
                  for (int k = 0; k < 10; k++) {
                    out.emit(i * 10 + k);
                  }
                })
            .map("id", 5, x -> x)
            .toList()
            .run();
    assertThat(result.value()).containsExactlyInAnyOrderElementsOf(range(200));
    assertThat(result.sourceItems()).isEqualTo(200);
  }

  @Test
  void intoSendsToTheChannelAndClosesIt() throws Exception {
    Channel<Integer> out = Channel.unbounded();
    Pipeline.from(range(50)).map("id", 2, x -> x).into(out).run();
    assertThat(out.isClosedForSend()).isTrue();
    List<Integer> got = new ArrayList<>();
    out.stream().forEach(got::add);
    assertThat(got).containsExactlyInAnyOrderElementsOf(range(50));
  }

  @Test
  void batchGroupsItemsAndFlushesTheRest() throws Exception {
    List<List<Integer>> batches =
        Pipeline.from(range(25)).batch("b", 10, Duration.ofSeconds(30)).toList().run().value();
    // One worker, an ordered source, 30 s to wait: two full batches, then the rest at the end.
    assertThat(batches)
        .isEqualTo(
            List.of(
                range(25).subList(0, 10), range(25).subList(10, 20), range(25).subList(20, 25)));
  }

  @Test
  void expandVisitsATreeAndEndsWhenNoFollowUpIsInFlight() throws Exception {
    // Node n has children 2n+1 and 2n+2 below 10_000.
    PipelineResult<List<Integer>> result =
        Pipeline.from(List.of(0))
            .<Integer>expand(
                "walk",
                8,
                (n, out) -> {
                  out.emit(n);
                  for (int c = 2 * n + 1; c <= 2 * n + 2; c++) {
                    if (c < 10_000) {
                      out.followUp(c);
                    }
                  }
                })
            .toList()
            .run();
    assertThat(result.value()).containsExactlyInAnyOrderElementsOf(range(10_000));
    assertThat(result.stage("walk").followUps()).isEqualTo(9_999);
    assertThat(result.stage("walk").received()).isEqualTo(1);
    assertThat(result.stage("walk").taken()).isEqualTo(10_000);
  }

  @Test
  void aPipelineOverAnIteratorRunsOnlyOnce() throws Exception {
    Iterator<Integer> it = range(3).iterator();
    var runnable = Pipeline.from(it).toList();
    runnable.run();
    assertThatThrownBy(runnable::run)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only once");
  }

  @Test
  void trackedThreadsAllEndBeforeRunReturns() throws Exception {
    TrackingThreads threads = TrackingThreads.virtual();
    Pipeline.from(range(1000))
        .map("a", Stage.workers(4).threadFactory(threads), x -> x)
        .forEach("b", Stage.workers(2).threadFactory(threads), x -> {})
        .run();
    assertThat(threads.made()).isGreaterThanOrEqualTo(6);
    threads.assertAllEnded();
  }
}
