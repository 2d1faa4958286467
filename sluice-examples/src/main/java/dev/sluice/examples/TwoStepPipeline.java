package dev.sluice.examples;

import dev.sluice.Channel;
import dev.sluice.FailurePolicy;
import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.StageStats;
import dev.sluice.TaskGroup;
import dev.sluice.TaskGroupStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Seed pattern 2: a pipeline for multi-step tasks.
 *
 * <p>Twenty inputs go through two steps. Each step's work pauses for a random fraction of a second
 * and returns a random value; the results of the last step are printed. The seed joins the steps
 * with queues and stops them with a {@code None} sentinel that each worker re-queues for its
 * siblings and forwards downstream, and then shows that the sentinel can overtake items still being
 * processed, so results are lost. Here nothing is sent to mean "the end", and the counters printed
 * at the end show that every input came out.
 *
 * <p>The seed runs the steps either with a pool per step or with one pool for all steps; so does
 * this program:
 *
 * <ul>
 *   <li>{@link #poolPerStep}: a {@link Pipeline} with a named stage per step, each with its own
 *       workers (5 and 5, and one printer). A stage closes its output when its input is closed and
 *       drained and its last worker has exited, so the end of the input travels behind the last
 *       item and cannot overtake it. This is the seed's design, with the shutdown done for you.
 *   <li>{@link #onePool}: one {@link TaskGroup} of 10 runs both steps. Here the tasks are the
 *       items, not long-lived workers reading queues: the task for an input runs step 1 and then
 *       submits step 2 for its result as a follow-up task to the same group. No queue joins the
 *       steps, so there is nothing to shut down between them, and the group's count of pending
 *       tasks says exactly when every step 2 has finished; only then is the results channel closed.
 *       A failed step does not stop the other inputs: the main thread prints every other result,
 *       then gets the failures.
 * </ul>
 *
 * <p>Why not "one pool" as one {@code ThreadFactory} shared by both stages of a pipeline? Each
 * stage would still have its own workers and its own worker count: the factory only names and makes
 * the threads, and sharing it changes nothing about how the work is scheduled. The task group is a
 * real single pool: one limit on how many steps run at once, whichever step they are. What it gives
 * up, compared with a pipeline: a worker count and a name per step, per-step counters, and
 * backpressure between the steps (step 2 tasks wait in the group's backlog, which is not bounded).
 * For a large or endless source, use the pipeline.
 */
public final class TwoStepPipeline {

  /** How a step waits: the seed sleeps for a random fraction of a second. */
  @FunctionalInterface
  public interface Pause {
    /**
     * Waits for {@code fraction} of the longest pause.
     *
     * @param fraction between 0 (inclusive) and 1 (exclusive)
     * @throws InterruptedException if interrupted while waiting
     */
    void pause(double fraction) throws InterruptedException;

    /**
     * Sleeps {@code fraction * longest}.
     *
     * @param longest the longest pause (the seed: one second)
     * @return the pause
     */
    static Pause upTo(Duration longest) {
      long nanos = longest.toNanos();
      return fraction -> Thread.sleep(Duration.ofNanos((long) (fraction * nanos)));
    }
  }

  /**
   * An input after step 1.
   *
   * @param input the input
   * @param step1 the value step 1 returned for it
   */
  public record Halfway(int input, double step1) {}

  /**
   * An input after both steps.
   *
   * @param input the input
   * @param step1 the value step 1 returned for it
   * @param step2 the value step 2 returned for it
   */
  public record Done(int input, double step1, double step2) {}

  /**
   * What the pipeline did, for a test to check without reading the printed output.
   *
   * @param printed the results in the order they were printed
   * @param result the pipeline's result: its counters per stage
   */
  public record PerStep(List<Done> printed, PipelineResult<Void> result) {

    public PerStep {
      printed = List.copyOf(printed);
    }
  }

  /**
   * What the task group did.
   *
   * @param printed the results in the order the main thread printed them
   * @param stats the group's counters once every task had finished
   */
  public record OnePool(List<Done> printed, TaskGroupStats stats) {

    public OnePool {
      printed = List.copyOf(printed);
    }
  }

  /**
   * What a run of both variants did.
   *
   * @param poolPerStep the pipeline, a pool per step
   * @param onePool the task group running both steps
   */
  public record Result(PerStep poolPerStep, OnePool onePool) {}

  /** The seed's sizes: 20 inputs, 5 workers per step, pauses of up to one second. */
  static final int INPUTS = 20;

  static final int WORKERS_PER_STEP = 5;

  private TwoStepPipeline() {}

  /** Runs both variants with the seed's sizes and pauses of up to one second. */
  public static void main(String[] args) throws InterruptedException {
    run(INPUTS, Pause.upTo(Duration.ofSeconds(1)), System.out);
  }

  /**
   * Runs both variants on the inputs 0 to {@code inputs - 1}.
   *
   * @param inputs how many inputs, at least 0
   * @param pause how each step waits
   * @param out where to print
   * @return what each variant did
   */
  public static Result run(int inputs, Pause pause, PrintStream out) throws InterruptedException {
    if (inputs < 0) {
      throw new IllegalArgumentException("inputs must be >= 0: " + inputs);
    }
    List<Integer> items = IntStream.range(0, inputs).boxed().toList();
    out.println("-- a pool per step: a pipeline");
    PerStep perStep = poolPerStep(items, pause, out);
    out.println("-- one pool for both steps: a task group");
    OnePool one = onePool(items, pause, out);
    return new Result(perStep, one);
  }

  /** Step 1 of the seed: pauses for a random fraction, then returns a random value. */
  static Halfway step1(int input, Pause pause) throws InterruptedException {
    return new Halfway(input, work(pause));
  }

  /** Step 2 of the seed: the same work, on the result of step 1. */
  static Done step2(Halfway item, Pause pause) throws InterruptedException {
    return new Done(item.input(), item.step1(), work(pause));
  }

  private static double work(Pause pause) throws InterruptedException {
    pause.pause(ThreadLocalRandom.current().nextDouble());
    return ThreadLocalRandom.current().nextDouble();
  }

  /** Prints each result and keeps it, in the order printed. */
  private static final class Printer {
    private final PrintStream out;
    private final List<Done> printed = new ArrayList<>();

    Printer(PrintStream out) {
      this.out = out;
    }

    synchronized void print(Done done) {
      out.printf("input %2d: step1 %.3f, step2 %.3f%n", done.input(), done.step1(), done.step2());
      printed.add(done);
    }

    synchronized List<Done> printed() {
      return List.copyOf(printed);
    }
  }

  /**
   * A pool per step: a pipeline whose stages are the two steps and a printer.
   *
   * @param inputs the inputs
   * @param pause how each step waits
   * @param out where to print
   * @return what happened
   */
  public static PerStep poolPerStep(List<Integer> inputs, Pause pause, PrintStream out)
      throws InterruptedException {
    Printer printer = new Printer(out);
    // region two-step-pipeline
    PipelineResult<Void> result =
        Pipeline.from(inputs)
            .map("step1", 5, input -> step1(input, pause)) // a stage named step1, 5 workers
            .map("step2", 5, item -> step2(item, pause))
            .forEach("print", 1, printer::print) // one printer, results in arrival order
            .run(); // returns when every result is printed and every worker has ended
    // endregion
    for (StageStats stage : result.stats().stages()) {
      out.printf(
          "  %-6s %-7s %d workers: received %d, emitted %d, failed %d%n",
          stage.name(),
          stage.kind(),
          stage.workers(),
          stage.received(),
          stage.emitted(),
          stage.failed());
    }
    out.printf(
        "pipeline: %d inputs from the source, %d printed, %d failed, %d filtered%n",
        result.sourceItems(), result.delivered(), result.failed(), result.filtered());
    return new PerStep(printer.printed(), result);
  }

  /**
   * One pool for both steps: a task group in which the task for an input runs step 1 and submits
   * step 2 as a follow-up; the main thread prints the results from a channel.
   *
   * @param inputs the inputs
   * @param pause how each step waits
   * @param out where to print
   * @return what happened
   */
  public static OnePool onePool(List<Integer> inputs, Pause pause, PrintStream out)
      throws InterruptedException {
    Printer printer = new Printer(out);
    TaskGroupStats stats;
    Channel<Done> results = Channel.bounded(5);
    try (TaskGroup pool =
        TaskGroup.builder()
            .name("steps")
            .maxConcurrency(10) // at most 10 steps at once, whichever step they are
            // a failed step does not cancel the group, so no submit below is refused; join()
            // reports every failure once all the work is done
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .build()) {
      for (int input : inputs) {
        pool.submit(
            () -> {
              Halfway halfway = step1(input, pause);
              // step 2 is a follow-up task in the same pool: never blocks, and is counted
              pool.submit(() -> results.send(step2(halfway, pause)));
            });
      }
      // join() waits for the work submitted so far: start waiting only after the last input
      Thread closer = Thread.ofVirtual().start(() -> closeWhenDone(pool, results));
      try {
        // the main thread prints; the stream ends once the channel is closed and drained
        results.stream().forEach(printer::print);
      } finally {
        closer.join();
      }
      stats = pool.stats();
    }
    out.printf(
        "task group: %d tasks (a step 1 and a step 2 per input), %d completed, %d failed;"
            + " %d results printed%n",
        stats.submitted(), stats.completed(), stats.failed(), printer.printed().size());
    return new OnePool(printer.printed(), stats);
  }

  /** Closes {@code results} once every task of {@code pool}, follow-ups included, has finished. */
  static void closeWhenDone(TaskGroup pool, Channel<?> results) {
    try {
      pool.join(); // every step 1 task, and every step 2 task they submitted, has finished
      results.close(); // no sentinel: the main thread drains what is left, then stops
    } catch (InterruptedException | RuntimeException failure) {
      results.close(failure); // steps failed: the main thread sees the failures once drained
    }
  }
}
