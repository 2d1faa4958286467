package dev.sluice.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the seed-pattern examples, each under a heading: all of them, or those named on the command
 * line.
 */
public final class Examples {

  /** One runnable example. */
  record Example(String name, String title, Body body) {}

  /** The body of an example: prints what it does. */
  @FunctionalInterface
  interface Body {
    void run(PrintStream out) throws Exception;
  }

  /** Every example, in the order they run. */
  static final List<Example> ALL =
      List.of(
          new Example(
              "closable-queue",
              "Closable channels instead of sentinels",
              out -> ClosableQueue.run(30, 3, out)),
          new Example(
              "tasks-submit-tasks",
              "Tasks that submit tasks",
              out -> TasksSubmitTasks.run(Duration.ofSeconds(1), out)),
          new Example(
              "as-completed",
              "Results as they complete, with their inputs",
              out -> AsCompleted.run(AsCompleted.URLS, 4, AsCompleted::fetch, out)),
          new Example(
              "lazy-in-flight",
              "A bounded number in flight from a lazy source",
              out -> LazyInFlight.run(10_000_000, 64, out)),
          new Example(
              "paginated-scan",
              "Follow-up work: a paginated scan",
              out ->
                  PaginatedScan.run(
                      new PaginatedScan.Table(10, 4, 5, Duration.ofMillis(20)), 3, out)),
          new Example(
              "two-step-pipeline",
              "A pipeline for multi-step tasks",
              out -> {
                out.println("(steps pause up to 250 ms, not the seed's second)");
                TwoStepPipeline.run(
                    TwoStepPipeline.INPUTS,
                    TwoStepPipeline.Pause.upTo(Duration.ofMillis(250)),
                    out);
              }),
          new Example(
              "producers-consumers",
              "Producer and consumer pools",
              out -> {
                out.println("(a \"second\" lasts 100 ms here)");
                ProducersConsumers.run(
                    ProducersConsumers.randomValues(ProducersConsumers.PRODUCERS),
                    ProducersConsumers.CONSUMERS,
                    ProducersConsumers.Pause.of(Duration.ofMillis(100)),
                    out);
              }));

  private Examples() {}

  /**
   * Runs the examples named in {@code args}, or all of them.
   *
   * @param args names of examples to run; none means all
   */
  public static void main(String[] args) throws Exception {
    int status = run(List.of(args), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the named examples, or all of them when {@code names} is empty, and returns an exit code
   * instead of exiting (for a caller with its own, such as the {@code sluice examples} command).
   *
   * @param names names of examples to run; none means all
   * @param out where the examples write
   * @param err where an unknown name is reported
   * @return 0, or 2 if a name is unknown (then nothing runs)
   * @throws Exception what an example throws
   */
  public static int run(List<String> names, PrintStream out, PrintStream err) throws Exception {
    List<Example> selected = new ArrayList<>();
    for (String name : names) {
      Example example = ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
      if (example == null) {
        err.printf(
            "unknown example: '%s' (known: %s)%n",
            name, String.join(", ", ALL.stream().map(Example::name).toList()));
        return 2;
      }
      selected.add(example);
    }
    if (selected.isEmpty()) {
      selected.addAll(ALL);
    }
    for (int i = 0; i < selected.size(); i++) {
      Example example = selected.get(i);
      if (i > 0) {
        out.println();
      }
      out.printf("== %s (%s) ==%n", example.title(), example.name());
      example.body().run(out);
    }
    return 0;
  }
}
