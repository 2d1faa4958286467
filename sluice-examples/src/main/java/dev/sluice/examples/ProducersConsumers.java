package dev.sluice.examples;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import dev.sluice.Emitter;
import dev.sluice.FailurePolicy;
import dev.sluice.Pipeline;
import dev.sluice.PipelineResult;
import dev.sluice.TaskGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Seed pattern 4: producer and consumer pools on one shared, bounded channel.
 *
 * <p>Twenty producers each wait a random 0 to 10 seconds and then send that number; five consumers
 * each take a number, wait that long and print it. The seed's producer manager, once every producer
 * has finished, puts one "no more items" value that each consumer re-queues for the next; its
 * consumers test it with {@code if not value}, which would also stop them on a real 0. Here the
 * producer side ends by closing the channel once every producer has finished, the consumers stop
 * when the channel is closed and drained, and a 0 is a number like any other.
 *
 * <p>Two ways to write it:
 *
 * <ul>
 *   <li>{@link #withChannel}: a {@link Channel} and two {@link TaskGroup}s, one per pool, wired by
 *       hand, which shows what it takes: the producer group's {@code join()} says when to close the
 *       channel, a failing consumer cancels the channel so that no producer stays blocked, and the
 *       tasks are submitted so that a failure cannot make a group refuse the rest.
 *   <li>{@link #withPipeline}: {@link Pipeline#fromProducers} and {@code forEach}, which do the
 *       same wiring: the source ends when every producer has returned, and the first failure stops
 *       both pools.
 * </ul>
 */
public final class ProducersConsumers {

  /** How a producer or consumer waits: the seed sleeps for the number of seconds it holds. */
  @FunctionalInterface
  public interface Pause {
    /**
     * Waits {@code seconds} units.
     *
     * @param seconds how many units, at least 0
     * @throws InterruptedException if interrupted while waiting
     */
    void pause(int seconds) throws InterruptedException;

    /**
     * Sleeps {@code seconds * unit}.
     *
     * @param unit how long one "second" lasts (the seed: one second)
     * @return the pause
     */
    static Pause of(Duration unit) {
      return seconds -> Thread.sleep(unit.multipliedBy(seconds));
    }
  }

  /**
   * What the channel and task groups did, for a test to check without reading the printed output.
   *
   * @param consumed the numbers in the order the consumers finished with them
   */
  public record ByHand(List<Integer> consumed) {

    public ByHand {
      consumed = List.copyOf(consumed);
    }
  }

  /**
   * What the pipeline did.
   *
   * @param consumed the numbers in the order the consumers finished with them
   * @param result the pipeline's result: its counters
   */
  public record Piped(List<Integer> consumed, PipelineResult<Void> result) {

    public Piped {
      consumed = List.copyOf(consumed);
    }
  }

  /**
   * What a run of both variants did.
   *
   * @param values what each producer sent, by producer index
   * @param withChannel the channel and task groups wired by hand
   * @param withPipeline the pipeline
   */
  public record Result(List<Integer> values, ByHand withChannel, Piped withPipeline) {

    public Result {
      values = List.copyOf(values);
    }
  }

  /** The seed's sizes: 20 producers, 5 consumers, waits of 0 to 10 seconds. */
  static final int PRODUCERS = 20;

  static final int CONSUMERS = 5;

  private ProducersConsumers() {}

  /** Runs both variants with the seed's sizes, waiting whole seconds. */
  public static void main(String[] args) throws InterruptedException {
    run(randomValues(PRODUCERS), CONSUMERS, Pause.of(Duration.ofSeconds(1)), System.out);
  }

  /**
   * Random numbers from 0 to 10, one per producer.
   *
   * @param producers how many, at least 0
   * @return the numbers
   */
  public static List<Integer> randomValues(int producers) {
    if (producers < 0) {
      throw new IllegalArgumentException("producers must be >= 0: " + producers);
    }
    return IntStream.range(0, producers)
        .map(i -> ThreadLocalRandom.current().nextInt(0, 11))
        .boxed()
        .toList();
  }

  /**
   * Runs both variants.
   *
   * @param values what each producer waits for and then sends, one per producer (at least one),
   *     each at least 0
   * @param consumers how many consumers, at least 1
   * @param pause how producers and consumers wait
   * @param out where to print
   * @return what each variant did
   */
  public static Result run(List<Integer> values, int consumers, Pause pause, PrintStream out)
      throws InterruptedException {
    out.printf("producers will send %s%n", values);
    out.println("-- a channel and two task groups");
    ByHand byHand = withChannel(values, consumers, pause, out);
    out.println("-- a pipeline: fromProducers, then forEach");
    Piped piped = withPipeline(values, consumers, pause, out);
    return new Result(values, byHand, piped);
  }

  private static void check(List<Integer> values, int consumers) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("values must not be empty: one per producer, at least 1");
    }
    if (consumers < 1) {
      throw new IllegalArgumentException("consumers must be >= 1: " + consumers);
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) < 0) {
        throw new IllegalArgumentException(
            "values must be >= 0: " + values.get(i) + " (producer " + i + ")");
      }
    }
  }

  /** Prints each number consumed and keeps it, in the order consumed. */
  private static final class Tally {
    private final PrintStream out;
    private final List<Integer> consumed = new ArrayList<>();

    Tally(PrintStream out) {
      this.out = out;
    }

    synchronized void consumed(int value) {
      out.printf("consumed %d%n", value);
      consumed.add(value);
    }

    synchronized List<Integer> consumed() {
      return List.copyOf(consumed);
    }
  }

  /**
   * The producer and consumer pools as two task groups sharing a bounded channel.
   *
   * @param values what each producer waits for and then sends
   * @param consumers how many consumers, at least 1
   * @param pause how producers and consumers wait
   * @param out where to print
   * @return what the consumers did
   */
  public static ByHand withChannel(
      List<Integer> values, int consumers, Pause pause, PrintStream out)
      throws InterruptedException {
    check(values, consumers);
    Tally tally = new Tally(out);
    Channel<Integer> items = Channel.bounded(5);
    try (TaskGroup consumerPool = TaskGroup.builder().name("consumers").build();
        TaskGroup producerPool =
            TaskGroup.builder()
                .name("producers")
                // a failing producer does not cancel the group, so no submit below is refused
                .failurePolicy(FailurePolicy.COLLECT_ALL)
                .build()) {
      // The consumers first: none can fail before there are items, so no submit is refused.
      for (int c = 0; c < consumers; c++) {
        consumerPool.submit(
            () -> {
              try {
                while (true) {
                  int value = items.receive(); // 0 is a value like any other
                  pause.pause(value);
                  tally.consumed(value);
                }
              } catch (ChannelClosedException closed) {
                if (closed.getCause() != null) {
                  throw closed; // the producers failed
                } // else: closed and drained, the work is done
              } catch (Throwable failure) {
                items.cancel(failure); // wakes producers blocked on a full channel
                throw failure;
              }
            });
      }
      for (int value : values) {
        producerPool.submit(
            () -> {
              pause.pause(value);
              items.send(value); // fails if a consumer failed and cancelled the channel
            });
      }
      try {
        producerPool.join(); // every producer has sent its value (or failed)
        items.close(); // instead of a "no more items" value
      } catch (InterruptedException | RuntimeException failure) {
        items.close(failure); // the consumers drain what was sent, then see the failure
        throw failure;
      }
      consumerPool.join();
    }
    List<Integer> consumed = tally.consumed();
    out.printf(
        "channel: %d producers sent a value each, then it was closed; %d consumed%n",
        values.size(), consumed.size());
    return new ByHand(consumed);
  }

  /**
   * The same with a pipeline: the producers are its source and the consumers its terminal stage.
   *
   * @param values what each producer waits for and then sends
   * @param consumers how many consumers, at least 1
   * @param pause how producers and consumers wait
   * @param out where to print
   * @return what the consumers did, and the pipeline's counters
   */
  public static Piped withPipeline(
      List<Integer> values, int consumers, Pause pause, PrintStream out)
      throws InterruptedException {
    check(values, consumers);
    Tally tally = new Tally(out);
    // region producers-consumers-pipeline
    PipelineResult<Void> result =
        Pipeline.fromProducers(
                "produce",
                values.size(), // producer i sends values.get(i); the source ends when all return
                (int i, Emitter<Integer> items) -> {
                  pause.pause(values.get(i));
                  items.emit(values.get(i)); // waits while the consumers' input is full
                })
            .forEach(
                "consume",
                consumers,
                value -> {
                  pause.pause(value);
                  tally.consumed(value);
                })
            .run(); // returns once every value is consumed and every thread has ended
    // endregion
    out.printf(
        "pipeline: %d values produced, %d consumed, %d failed%n",
        result.sourceItems(), result.delivered(), result.failed());
    return new Piped(tally.consumed(), result);
  }
}
