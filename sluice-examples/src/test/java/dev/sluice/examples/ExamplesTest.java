package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ExamplesTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
  private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errors, true, StandardCharsets.UTF_8);

  @Test
  void runsEveryExampleUnderItsOwnHeading() throws Exception {
    int status = Examples.run(List.of(), out, err);

    assertThat(status).isZero();
    List<String> headings =
        printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("== ")).toList();
    assertThat(headings)
        .containsExactlyElementsOf(
            Examples.ALL.stream().map(e -> "== " + e.title() + " (" + e.name() + ") ==").toList());
    assertThat(errors.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void runsOnlyTheNamedExample() throws Exception {
    int status = Examples.run(List.of("closable-queue"), out, err);

    assertThat(status).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith(
            "== Closable channels instead of sentinels (closable-queue) =="
                + System.lineSeparator())
        .contains("producer: sent 30 items, then closed the channel");
  }

  @Test
  void anUnknownExampleNameRunsNothingAndSaysWhichNamesExist() throws Exception {
    int status = Examples.run(List.of("closable-queue", "nope"), out, err);

    assertThat(status).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(errors.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "unknown example: 'nope' (known: closable-queue, tasks-submit-tasks, as-completed,"
                + " lazy-in-flight, paginated-scan, two-step-pipeline, producers-consumers)"
                + System.lineSeparator());
  }
}
