package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ChannelClosedException;
import dev.sluice.PipelineException;
import dev.sluice.PipelineStats;
import dev.sluice.StageStats;
import dev.sluice.TaskGroupException;
import dev.sluice.examples.TwoStepPipeline.Done;
import dev.sluice.examples.TwoStepPipeline.Halfway;
import dev.sluice.examples.TwoStepPipeline.OnePool;
import dev.sluice.examples.TwoStepPipeline.Pause;
import dev.sluice.examples.TwoStepPipeline.PerStep;
import dev.sluice.examples.TwoStepPipeline.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// A separate thread, so that a run that ignores the interrupt still fails the test, not the build.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TwoStepPipelineTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  /** Every thread that ran a step; once a variant has returned, none may still be alive. */
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();

  private final AtomicInteger pausing = new AtomicInteger();
  private final AtomicInteger mostPausingAtOnce = new AtomicInteger();

  /** The seed's pause scaled down to at most 2 ms, noting which threads ran steps. */
  private final Pause pause =
      fraction -> {
        workers.add(Thread.currentThread());
        mostPausingAtOnce.accumulateAndGet(pausing.incrementAndGet(), Math::max);
        try {
          Pause.upTo(Duration.ofMillis(2)).pause(fraction);
        } finally {
          pausing.decrementAndGet();
        }
      };

  private static List<Integer> inputs(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private void assertNoWorkerOutlivedTheRun() {
    assertThat(workers).as("threads that ran a step").isNotEmpty();
    assertThat(workers.stream().filter(Thread::isAlive).map(Thread::toString))
        .as("threads still alive once the variant returned")
        .isEmpty();
  }

  private static void assertEveryInputPrintedOnceWithItsValues(List<Done> printed, int n) {
    assertThat(printed).extracting(Done::input).containsExactlyInAnyOrderElementsOf(inputs(n));
    assertThat(printed)
        .allSatisfy(
            done -> {
              assertThat(done.step1()).isBetween(0.0, 1.0);
              assertThat(done.step2()).isBetween(0.0, 1.0);
            });
  }

  @Test
  void thePipelinePrintsEveryInputExactlyOnceAndItsCountersAccountForAll() throws Exception {
    PerStep run = TwoStepPipeline.poolPerStep(inputs(20), pause, out);

    assertEveryInputPrintedOnceWithItsValues(run.printed(), 20);
    assertThat(run.result().stats().state()).isEqualTo(PipelineStats.State.SUCCEEDED);
    assertThat(run.result().sourceItems()).isEqualTo(20);
    assertThat(run.result().delivered()).isEqualTo(20);
    assertThat(run.result().failed()).isZero();
    assertThat(run.result().filtered()).isZero();
    for (String step : List.of("step1", "step2")) {
      StageStats stage = run.result().stage(step);
      assertThat(stage.workers()).as(step).isEqualTo(5);
      assertThat(stage.received()).as(step).isEqualTo(20);
      assertThat(stage.emitted()).as(step).isEqualTo(20);
      assertThat(stage.discarded()).as(step).isZero();
    }
    assertThat(run.result().stage("print").workers()).isEqualTo(1);
    // 5 workers per step: at most 10 steps pause at once
    assertThat(mostPausingAtOnce.get()).isBetween(1, 10);
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void theOnePoolPrintsEveryInputExactlyOnceAndCountsAStep1AndAStep2TaskPerInput()
      throws Exception {
    OnePool run = TwoStepPipeline.onePool(inputs(20), pause, out);

    assertEveryInputPrintedOnceWithItsValues(run.printed(), 20);
    assertThat(run.stats().submitted()).isEqualTo(40);
    assertThat(run.stats().completed()).isEqualTo(40);
    assertThat(run.stats().failed()).isZero();
    assertThat(run.stats().pending()).isZero();
    // one pool of 10 for both steps
    assertThat(mostPausingAtOnce.get()).isBetween(1, 10);
    assertNoWorkerOutlivedTheRun();
  }

  @ParameterizedTest(name = "{0} inputs")
  @ValueSource(ints = {0, 1, 7})
  void bothVariantsEndOnTheirOwnWhateverTheNumberOfInputs(int n) throws Exception {
    PerStep perStep = TwoStepPipeline.poolPerStep(inputs(n), pause, out);
    OnePool onePool = TwoStepPipeline.onePool(inputs(n), pause, out);

    assertEveryInputPrintedOnceWithItsValues(perStep.printed(), n);
    assertThat(perStep.result().delivered()).isEqualTo(n);
    assertEveryInputPrintedOnceWithItsValues(onePool.printed(), n);
    assertThat(onePool.stats().completed()).isEqualTo(2L * n);
  }

  /**
   * The seed's race: when the end of the input comes right behind the last items, its sentinel
   * overtakes items still being processed. With no pause at all the end comes as fast as it can.
   */
  @RepeatedTest(20)
  void noResultIsLostWhenTheEndOfTheInputFollowsTheLastItemsAtOnce() throws Exception {
    Pause none = fraction -> workers.add(Thread.currentThread());

    PerStep perStep = TwoStepPipeline.poolPerStep(inputs(200), none, out);
    OnePool onePool = TwoStepPipeline.onePool(inputs(200), none, out);

    assertEveryInputPrintedOnceWithItsValues(perStep.printed(), 200);
    assertThat(perStep.result().delivered()).isEqualTo(200);
    assertEveryInputPrintedOnceWithItsValues(onePool.printed(), 200);
    assertThat(onePool.stats().completed()).isEqualTo(400);
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void aFailingStepStopsThePipelineAndNamesTheStageAndItem() {
    // Late enough that every worker has started (see /work/pipeline-bugs.md, P1: a failure while a
    // stage's workers are still starting can leave run() waiting forever).
    Pause failing = failingOnCall(30);

    assertThatThrownBy(() -> TwoStepPipeline.poolPerStep(inputs(40), failing, out))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> {
              assertThat(e.stage()).isIn("step1", "step2");
              assertThat(e.item())
                  .isInstanceOf(e.stage().equals("step1") ? Integer.class : Halfway.class);
            })
        .hasRootCauseMessage("step failed");
    assertNoWorkerOutlivedTheRun();
  }

  @Test
  void aFailingStepInTheOnePoolLetsTheOtherInputsThroughThenReachesTheMainThread() {
    Pause failFifth = failingOnCall(5);

    assertThatThrownBy(() -> TwoStepPipeline.onePool(inputs(20), failFifth, out))
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isInstanceOf(TaskGroupException.class)
        .hasRootCauseMessage("step failed");
    // 19 inputs went through both steps; the main thread printed them before the failure
    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .filteredOn(l -> l.startsWith("input "))
        .hasSize(19);
    assertNoWorkerOutlivedTheRun();
  }

  private Pause failingOnCall(int n) {
    AtomicInteger calls = new AtomicInteger();
    return fraction -> {
      workers.add(Thread.currentThread());
      if (calls.incrementAndGet() == n) {
        throw new IllegalStateException("step failed");
      }
    };
  }

  @Test
  void runShowsBothVariantsWithTheirCounters() throws Exception {
    Result result = TwoStepPipeline.run(20, pause, out);

    assertEveryInputPrintedOnceWithItsValues(result.poolPerStep().printed(), 20);
    assertEveryInputPrintedOnceWithItsValues(result.onePool().printed(), 20);
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines)
        .startsWith("-- a pool per step: a pipeline")
        .contains(
            "pipeline: 20 inputs from the source, 20 printed, 0 failed, 0 filtered",
            "-- one pool for both steps: a task group",
            "task group: 40 tasks (a step 1 and a step 2 per input), 40 completed, 0 failed;"
                + " 20 results printed");
    // a value of 0.9995 or more prints as 1.000
    assertThat(lines)
        .filteredOn(l -> l.matches("input +\\d+: step1 [01][.,]\\d{3}, step2 [01][.,]\\d{3}"))
        .hasSize(40);
    assertThat(lines)
        .anyMatch(l -> l.matches(" +step1 +map +5 workers: received 20, emitted 20, failed 0"));
  }

  @Test
  void aNegativeNumberOfInputsIsRejectedWithItsValue() {
    assertThatThrownBy(() -> TwoStepPipeline.run(-1, pause, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputs must be >= 0: -1");
  }
}
