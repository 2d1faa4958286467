package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.TasksSubmitTasks.Reach;
import dev.sluice.examples.TasksSubmitTasks.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(60)
class TasksSubmitTasksTest {

  private static final Duration PAUSE = Duration.ofMillis(5);
  private static final List<String> SEED_ORDER =
      List.of("task 1 running", "task 2 running", "task 1 done", "task 2 done", "join returned");

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @ParameterizedTest
  @EnumSource(Reach.class)
  void theTasksPrintInTheSeedsOrderAndJoinReturnsOnlyAfterTheFollowUpIsDone(Reach reach)
      throws Exception {
    List<String> lines = TasksSubmitTasks.submitWithoutWaiting(PAUSE, reach, out);

    // "task 2 done" comes after "task 1 done" only if task 1 returned without waiting for task 2;
    // "join returned" comes last only if join waited for task 2, which the caller never saw.
    assertThat(lines).containsExactlyElementsOf(SEED_ORDER);
    assertThat(printed.toString(StandardCharsets.UTF_8).lines()).containsExactlyElementsOf(lines);
  }

  @RepeatedTest(20)
  void theOrderHoldsWithoutAnyPause() throws Exception {
    assertThat(TasksSubmitTasks.submitWithoutWaiting(Duration.ZERO, Reach.CURRENT, out))
        .containsExactlyElementsOf(SEED_ORDER);
  }

  @RepeatedTest(20)
  void aTaskThatWaitsForItsChildInAGroupOfOneCompletes() throws Exception {
    assertThat(TasksSubmitTasks.waitForChild(out)).isEqualTo("parent got 'child result'");
  }

  @Test
  void aTreeOfTasksWaitingForTheirChildrenInAGroupOfTwoCompletes() throws Exception {
    assertThat(TasksSubmitTasks.sumTree(1000, out)).isEqualTo(500_500L);
    assertThat(TasksSubmitTasks.sumTree(1, out)).isEqualTo(1L);
    assertThat(TasksSubmitTasks.sumTree(100_000, out)).isEqualTo(5_000_050_000L);
  }

  @Test
  void runShowsBothVariantsAndTheSafeWaits() throws Exception {
    Result result = TasksSubmitTasks.run(PAUSE, out);

    assertThat(result.withArgument()).containsExactlyElementsOf(SEED_ORDER);
    assertThat(result.withCurrent()).containsExactlyElementsOf(SEED_ORDER);
    assertThat(result.childResult()).isEqualTo("parent got 'child result'");
    assertThat(result.treeSum()).isEqualTo(500_500L);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("maxConcurrency(1): parent got 'child result'")
        .containsPattern("maxConcurrency\\(2\\): \\d+ tasks waiting for their children summed");
  }

  @Test
  void anEmptyTreeIsRejectedWithItsSize() {
    assertThatThrownBy(() -> TasksSubmitTasks.sumTree(0, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be >= 1: 0");
  }
}
