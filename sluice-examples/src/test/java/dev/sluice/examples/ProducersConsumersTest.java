package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.PipelineException;
import dev.sluice.PipelineResult;
import dev.sluice.PipelineStats;
import dev.sluice.TaskGroupException;
import dev.sluice.examples.ProducersConsumers.Pause;
import dev.sluice.examples.ProducersConsumers.Piped;
import dev.sluice.examples.ProducersConsumers.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

// A separate thread, so that a run that ignores the interrupt still fails the test, not the build.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProducersConsumersTest {

  /** The seed's 20 producers' values, with two real zeros among them. */
  private static final List<Integer> VALUES =
      List.of(3, 0, 7, 10, 1, 5, 0, 2, 9, 4, 8, 6, 1, 3, 10, 2, 7, 5, 4, 6);

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  /** Every thread that ran a producer or a consumer; none may outlive the variant. */
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();

  /** A "second" lasts a millisecond. */
  private final Pause pause =
      seconds -> {
        workers.add(Thread.currentThread());
        Pause.of(Duration.ofMillis(1)).pause(seconds);
      };

  /** The two ways the example wires the pools. */
  enum Variant {
    CHANNEL,
    PIPELINE;

    List<Integer> consume(List<Integer> values, int consumers, Pause pause, PrintStream out)
        throws InterruptedException {
      return switch (this) {
        case CHANNEL -> ProducersConsumers.withChannel(values, consumers, pause, out).consumed();
        case PIPELINE -> ProducersConsumers.withPipeline(values, consumers, pause, out).consumed();
      };
    }
  }

  private void assertNoWorkerOutlivedTheRun() {
    assertThat(workers).as("threads that ran a producer or consumer").isNotEmpty();
    assertThat(workers.stream().filter(Thread::isAlive).map(Thread::toString))
        .as("threads still alive once the variant returned")
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void everyValueIsConsumedExactlyOnceZerosIncluded(Variant variant) throws Exception {
    List<Integer> consumed = variant.consume(VALUES, 5, pause, out);

    // Each value exactly as many times as it was sent: nothing lost, nothing twice.
    assertThat(consumed).containsExactlyInAnyOrderElementsOf(VALUES);
    assertThat(consumed).filteredOn(v -> v == 0).hasSize(2);
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .filteredOn(l -> l.equals("consumed 0"))
        .hasSize(2);
    assertNoWorkerOutlivedTheRun();
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void consumersGoOnWhenEveryValueIsZero(Variant variant) throws Exception {
    // The seed's `if not value` would stop its consumers at the first of these.
    List<Integer> zeros = Collections.nCopies(30, 0);

    assertThat(variant.consume(zeros, 5, pause, out)).hasSize(30).containsOnly(0);
    assertNoWorkerOutlivedTheRun();
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void aSingleProducerAndASingleConsumerAreEnough(Variant variant) throws Exception {
    assertThat(variant.consume(List.of(0), 1, pause, out)).containsExactly(0);
    assertNoWorkerOutlivedTheRun();
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void moreConsumersThanValuesAllStop(Variant variant) throws Exception {
    assertThat(variant.consume(List.of(2, 0, 1), 8, pause, out)).containsExactlyInAnyOrder(2, 0, 1);
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void thePipelineCountsTwentyProducedAndTwentyConsumed() throws Exception {
    Piped run = ProducersConsumers.withPipeline(VALUES, 5, pause, out);

    PipelineResult<Void> result = run.result();
    assertThat(result.stats().state()).isEqualTo(PipelineStats.State.SUCCEEDED);
    assertThat(result.sourceItems()).isEqualTo(20);
    assertThat(result.delivered()).isEqualTo(20);
    assertThat(result.failed()).isZero();
    assertThat(result.stage("produce").workers()).isEqualTo(20);
    assertThat(result.stage("produce").emitted()).isEqualTo(20);
    assertThat(result.stage("consume").workers()).isEqualTo(5);
    assertThat(result.stage("consume").received()).isEqualTo(20);
    assertThat(run.consumed()).containsExactlyInAnyOrderElementsOf(VALUES);
    assertNoWorkerOutlivedTheRun();
  }

  /** The end comes right behind the last values: none of them may be left behind. */
  @RepeatedTest(20)
  void noValueIsLostWhenProducersAndConsumersDoNotWaitAtAll() throws Exception {
    List<Integer> values = IntStream.range(0, 300).map(i -> i % 11).boxed().toList();
    Pause none = seconds -> workers.add(Thread.currentThread());

    for (Variant variant : Variant.values()) {
      assertThat(variant.consume(values, 5, none, out))
          .as(variant.name())
          .containsExactlyInAnyOrderElementsOf(values);
    }
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void aFailingProducerStopsTheConsumersWithItsFailure() {
    // The first producer to pause for 1 (there are two) fails before sending it.
    Pause failing = failingOnCall(1, 1);

    assertThatThrownBy(() -> ProducersConsumers.withChannel(VALUES, 5, failing, out))
        .isInstanceOf(TaskGroupException.class)
        .hasRootCauseMessage("failed on 1");
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void inThePipelineAFailingProducerStopsEverythingAndIsNamed() {
    Pause failing = onceAllProducersStarted(VALUES.size(), failingOnCall(1, 1));

    assertThatThrownBy(() -> ProducersConsumers.withPipeline(VALUES, 5, failing, out))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> {
              assertThat(e.stage()).isEqualTo("produce");
              assertThat(e.stats()).isNotNull();
              assertThat(e.stats().state()).isEqualTo(PipelineStats.State.FAILED);
            })
        .hasRootCauseMessage("failed on 1");
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void aFailingConsumerDoesNotLeaveTheProducersBlockedOnAFullChannel() {
    // 30 producers and one consumer on a channel of 5: most producers wait for room when the
    // consumer fails on 13, the second time 13 is paused for (the producer paused first).
    List<Integer> values = new ArrayList<>(Collections.nCopies(29, 1));
    values.add(0, 13);
    Pause failing = failingOnCall(13, 2);

    assertThatThrownBy(() -> ProducersConsumers.withChannel(values, 1, failing, out))
        .isInstanceOf(TaskGroupException.class)
        .hasRootCauseMessage("failed on 13");
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void inThePipelineAFailingConsumerStopsEverythingAndIsNamed() {
    List<Integer> values = new ArrayList<>(Collections.nCopies(29, 1));
    values.add(0, 13);
    Pause failing = onceAllProducersStarted(values.size(), failingOnCall(13, 2));

    assertThatThrownBy(() -> ProducersConsumers.withPipeline(values, 1, failing, out))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> {
              assertThat(e.stage()).isEqualTo("consume");
              assertThat(e.item()).isEqualTo(13);
            })
        .hasRootCauseMessage("failed on 13");
    assertNoWorkerOutlivedTheRun();
  }

  /**
   * Holds each producer's pause until every producer has started, then pauses as {@code then}.
   * Producers pause before they send, so the first {@code producers} calls are theirs. The pipeline
   * tests with failures use it: a failure while a stage's workers are still starting can leave
   * {@code run()} waiting forever (see /work/pipeline-bugs.md, P1).
   */
  private static Pause onceAllProducersStarted(int producers, Pause then) {
    CountDownLatch allStarted = new CountDownLatch(producers);
    return seconds -> {
      if (allStarted.getCount() > 0) {
        allStarted.countDown();
        allStarted.await();
      }
      then.pause(seconds);
    };
  }

  /** A pause that throws on the {@code nth} call for {@code value}. */
  private Pause failingOnCall(int value, int nth) {
    Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
    return seconds -> {
      workers.add(Thread.currentThread());
      if (seconds == value
          && calls.computeIfAbsent(seconds, v -> new AtomicInteger()).incrementAndGet() == nth) {
        throw new IllegalStateException("failed on " + value);
      }
    };
  }

  @Test
  void runShowsBothVariants() throws Exception {
    Result result = ProducersConsumers.run(VALUES, 5, pause, out);

    assertThat(result.withChannel().consumed()).containsExactlyInAnyOrderElementsOf(VALUES);
    assertThat(result.withPipeline().consumed()).containsExactlyInAnyOrderElementsOf(VALUES);
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines)
        .startsWith(
            "producers will send [3, 0, 7, 10, 1, 5, 0, 2, 9, 4, 8, 6, 1, 3, 10, 2, 7, 5, 4, 6]",
            "-- a channel and two task groups")
        .contains(
            "channel: 20 producers sent a value each, then it was closed; 20 consumed",
            "-- a pipeline: fromProducers, then forEach",
            "pipeline: 20 values produced, 20 consumed, 0 failed");
    assertThat(lines).filteredOn(l -> l.startsWith("consumed ")).hasSize(40);
  }

  @Test
  void randomValuesAreBetweenZeroAndTen() {
    assertThat(ProducersConsumers.randomValues(1000))
        .hasSize(1000)
        .allMatch(v -> v >= 0 && v <= 10);
  }

  @Test
  void invalidArgumentsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> ProducersConsumers.withChannel(VALUES, 0, pause, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consumers must be >= 1: 0");
    assertThatThrownBy(() -> ProducersConsumers.withPipeline(List.of(1, -2), 5, pause, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values must be >= 0: -2 (producer 1)");
    assertThatThrownBy(() -> ProducersConsumers.withChannel(List.of(), 5, pause, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values must not be empty: one per producer, at least 1");
    assertThatThrownBy(() -> ProducersConsumers.randomValues(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("producers must be >= 0: -1");
  }
}
