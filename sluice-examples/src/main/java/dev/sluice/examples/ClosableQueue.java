package dev.sluice.examples;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Seed pattern 3: a closable queue instead of sentinels or {@code task_done}/{@code join}.
 *
 * <p>One producer sends the items 1..n into a bounded {@link Channel} and closes it when it is
 * done. Several consumers, each on its own virtual thread, receive until the channel is closed and
 * drained, which they learn from {@link ChannelClosedException}. Nobody sends a "no more items"
 * value, so no consumer has to re-queue one for its siblings and no real item can be mistaken for
 * one. The program then shows that a send after close is rejected, and that a channel closed with a
 * cause (a failed producer) lets consumers drain what was sent before handing them the cause.
 */
public final class ClosableQueue {

  /**
   * What a run did, for a test to check without reading the printed output.
   *
   * @param sent how many items the producer sent before closing the channel
   * @param processedByConsumer the items each consumer processed, in the order it received them
   * @param closedAndDrained whether the channel was closed and empty once the consumers stopped
   * @param lateSendRejected whether a send after close threw {@link ChannelClosedException}
   * @param drainedBeforeCause the items the consumers received from the channel closed with a
   *     cause, sorted
   * @param causesSeen the cause each consumer found in its {@link ChannelClosedException} after
   *     draining that channel (null where there was none)
   */
  public record Result(
      int sent,
      List<List<Integer>> processedByConsumer,
      boolean closedAndDrained,
      boolean lateSendRejected,
      List<Integer> drainedBeforeCause,
      List<Throwable> causesSeen) {

    public Result {
      processedByConsumer = List.copyOf(processedByConsumer.stream().map(List::copyOf).toList());
      drainedBeforeCause = List.copyOf(drainedBeforeCause);
      causesSeen = Collections.unmodifiableList(new ArrayList<>(causesSeen)); // null: no cause
    }

    /** The number of items processed by all consumers together. */
    public int total() {
      return processedByConsumer.stream().mapToInt(List::size).sum();
    }

    /** The number of different items processed. */
    public long distinct() {
      return processedByConsumer.stream().flatMap(List::stream).distinct().count();
    }
  }

  private ClosableQueue() {}

  /** Runs the example with 30 items and 3 consumers. */
  public static void main(String[] args) throws InterruptedException, ExecutionException {
    run(30, 3, System.out);
  }

  /**
   * Runs the example and prints what happened.
   *
   * @param items how many items the producer sends, at least 0
   * @param consumers how many consumers receive them, at least 1
   * @param out where to print what each consumer processed
   * @return what happened
   * @throws ExecutionException if the producer or a consumer failed
   */
  public static Result run(int items, int consumers, PrintStream out)
      throws InterruptedException, ExecutionException {
    if (items < 0) {
      throw new IllegalArgumentException("items must be >= 0: " + items);
    }
    if (consumers < 1) {
      throw new IllegalArgumentException("consumers must be >= 1: " + consumers);
    }

    // region closable-queue
    Channel<Integer> jobs = Channel.bounded(4); // send waits while 4 items are buffered

    Callable<Integer> producer =
        () -> {
          try {
            int sent = 0;
            for (int item = 1; item <= items; item++) {
              jobs.send(item); // waits while the channel is full
              sent++;
            }
            jobs.close(); // no sentinel: consumers drain what is left, then stop
            return sent;
          } catch (Throwable failure) {
            jobs.close(failure); // consumers drain what is left, then see the failure
            throw failure;
          }
        };

    Callable<List<Integer>> consumer =
        () -> {
          List<Integer> processed = new ArrayList<>();
          try {
            while (true) {
              Integer item = jobs.receive(); // waits while the channel is empty and open
              process(item);
              processed.add(item);
            }
          } catch (ChannelClosedException closed) {
            if (closed.getCause() != null) {
              throw closed; // the producer failed
            }
            return processed; // closed and drained: the work is done
          }
        };

    Future<Integer> sent;
    List<Future<List<Integer>>> done = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      sent = threads.submit(producer);
      for (int i = 0; i < consumers; i++) {
        done.add(threads.submit(consumer));
      }
    } // waits for the producer and every consumer to finish
    // endregion

    List<List<Integer>> processedByConsumer = new ArrayList<>();
    for (Future<List<Integer>> consumerDone : done) {
      processedByConsumer.add(consumerDone.get());
    }
    boolean lateSendRejected = sendAfterClose(jobs);
    List<Drained> afterFailure = closeWithCause(consumers);

    Result result =
        new Result(
            sent.get(),
            processedByConsumer,
            jobs.isClosedForReceive(),
            lateSendRejected,
            afterFailure.stream().flatMap(d -> d.items().stream()).sorted().toList(),
            afterFailure.stream().map(Drained::cause).toList());
    print(result, out);
    return result;
  }

  private static void print(Result result, PrintStream out) {
    out.printf("producer: sent %d items, then closed the channel%n", result.sent());
    List<List<Integer>> processed = result.processedByConsumer();
    for (int i = 0; i < processed.size(); i++) {
      out.printf(
          "consumer %d processed %d items: %s%n", i + 1, processed.get(i).size(), processed.get(i));
    }
    out.printf(
        "total: %d items processed (%d distinct) of %d sent, by %d consumers%n",
        result.total(), result.distinct(), result.sent(), processed.size());
    out.printf(
        "send after close: %s%n",
        result.lateSendRejected() ? "rejected with ChannelClosedException" : "ACCEPTED (a bug)");
    long sawCause = result.causesSeen().stream().filter(c -> c instanceof IOException).count();
    out.printf(
        "close(cause): consumers drained %s, then %d of %d saw the cause: %s%n",
        result.drainedBeforeCause(),
        sawCause,
        result.causesSeen().size(),
        result.causesSeen().isEmpty() ? null : result.causesSeen().get(0));
  }

  /** Stands in for real work on an item, so that the consumers share the items. */
  private static void process(int item) throws InterruptedException {
    Thread.sleep(Duration.ofMillis(1));
  }

  /** Tries to send to the closed channel; returns whether the send was rejected. */
  private static boolean sendAfterClose(Channel<Integer> jobs) throws InterruptedException {
    try {
      jobs.send(-1);
      return false;
    } catch (ChannelClosedException expected) {
      return true;
    }
  }

  /** What one consumer received from a channel closed with a cause, and the cause it then saw. */
  private record Drained(List<Integer> items, Throwable cause) {}

  /**
   * A producer (here the calling thread) sends three items and then fails: it closes the channel
   * with its failure as the cause. The consumers, started only then, first receive the three items;
   * then each one gets a {@link ChannelClosedException} carrying that cause.
   */
  private static List<Drained> closeWithCause(int consumers)
      throws InterruptedException, ExecutionException {
    Channel<Integer> jobs = Channel.bounded(3);
    for (int item = 1; item <= 3; item++) {
      jobs.send(item);
    }
    jobs.close(new IOException("source failed after 3 items"));

    Callable<Drained> consumer =
        () -> {
          List<Integer> items = new ArrayList<>();
          try {
            while (true) {
              items.add(jobs.receive());
            }
          } catch (ChannelClosedException closed) {
            return new Drained(items, closed.getCause());
          }
        };
    List<Future<Drained>> done = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < consumers; i++) {
        done.add(threads.submit(consumer));
      }
    }
    List<Drained> drained = new ArrayList<>();
    for (Future<Drained> consumerDone : done) {
      drained.add(consumerDone.get());
    }
    return drained;
  }
}
