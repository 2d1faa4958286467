package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.stress.StressThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many producers and consumers on one channel, checked for lost, duplicated, invented and reordered
 * items, and for hangs.
 *
 * <p>Producers send distinct items {@code (producer, sequence)}; consumers receive until {@link
 * ChannelClosedException}. After each round: every item whose send returned normally was received
 * exactly once (or handed back by {@code cancel} exactly once); no item whose send threw, or that
 * was never sent, turns up; each consumer saw each producer's items in increasing sequence; and
 * with one producer and one consumer, the items came out in the order they went in. Also, no item
 * is received after {@code isClosedForReceive()} returned true, and no send succeeds after {@code
 * isClosedForSend()} returned true. Every thread is joined with a timeout; one still running fails
 * the round with a dump of all workers' stacks (and later cases of the same channel kind then fail
 * at once, as hung threads cannot be stopped).
 *
 * <p>Three kinds of round: blocking {@code send}/{@code receive} closed at a random moment by
 * {@code close()}, {@code close(cause)} or {@code cancel(cause)} in turn (the items {@code cancel}
 * returns count as delivered; consumers must end with the close cause); the same with timed {@code
 * trySend}, untimed {@code trySend}, timed {@code tryReceive} and polling {@code tryReceive} mixed;
 * and rounds where the channel closes only after every producer is done (through one {@link Sender}
 * per producer, or by a closer that joins the producers), where every item must arrive.
 *
 * <p>Parameters: the channel kind (rendezvous, bounded 1, 2, 7, 64, unbounded), producers x
 * consumers and platform or virtual threads.
 *
 * <h2>Size</h2>
 *
 * The system property {@code sluice.stress} (an integer multiplier: 1 by default and in CI, 50
 * under {@code mvn verify -Psoak}) scales each round to {@code 4000 * sluice.stress} items (6
 * rounds per parameter set). At 1 the producers x consumers pairs are a representative subset
 * ({@link #CI_PAIRS}); above 1 they are the whole grid {1, 2, 4, 8} x {1, 2, 4, 8}. At 1 the class
 * takes 15-50 s on a busy 2-core machine; under {@code -Psoak} about an hour.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ChannelStressTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));

  /** Items per round, over all producers. */
  private static final int ITEMS = 4_000 * STRESS;

  /** Rounds per parameter set; round {@code r} closes with {@code CloseMode.values()[r % 3]}. */
  private static final int ROUNDS = 6;

  private static final int[] COUNTS = {1, 2, 4, 8};

  /** Producers x consumers pairs run in CI: FIFO, fan-out, fan-in, and a crowd. */
  private static final int[][] CI_PAIRS = {{1, 1}, {1, 4}, {4, 1}, {8, 8}};

  private static final Duration ROUND_TIMEOUT = StressThreads.roundTimeout(STRESS);

  /**
   * The first hang seen per channel kind. Hung workers cannot be stopped and may keep a core busy,
   * so once a kind has hung, its remaining cases fail at once instead of hanging again.
   */
  private static final Map<Capacity, String> HUNG = new ConcurrentHashMap<>();

  /** The channels under test. */
  enum Capacity {
    RENDEZVOUS(Channel::rendezvous),
    ONE(() -> Channel.bounded(1)),
    TWO(() -> Channel.bounded(2)),
    SEVEN(() -> Channel.bounded(7)),
    SIXTY_FOUR(() -> Channel.bounded(64)),
    UNBOUNDED(Channel::unbounded);

    private final Supplier<Channel<Item>> factory;

    Capacity(Supplier<Channel<Item>> factory) {
      this.factory = factory;
    }

    Channel<Item> create() {
      return factory.get();
    }
  }

  /** How the closer ends a round. */
  enum CloseMode {
    CLOSE,
    CLOSE_WITH_CAUSE,
    CANCEL
  }

  /** One item: who sent it and its place in that producer's sequence. */
  record Item(int producer, int sequence) {}

  static Stream<Arguments> cases() {
    List<int[]> pairs = new ArrayList<>();
    if (STRESS > 1) {
      for (int producers : COUNTS) {
        for (int consumers : COUNTS) {
          pairs.add(new int[] {producers, consumers});
        }
      }
    } else {
      pairs.addAll(Arrays.asList(CI_PAIRS));
    }
    List<Arguments> cases = new ArrayList<>();
    for (Capacity capacity : Capacity.values()) {
      for (StressThreads.Kind kind : StressThreads.Kind.values()) {
        for (int[] pair : pairs) {
          cases.add(Arguments.of(capacity, pair[0], pair[1], kind));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, {1} producers x {2} consumers, {3} threads")
  @MethodSource("cases")
  void sentItemsAreDeliveredExactlyOnceWhenClosedAtARandomMoment(
      Capacity capacity, int producers, int consumers, StressThreads.Kind kind) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      CloseMode mode = CloseMode.values()[round % CloseMode.values().length];
      runRound(capacity, producers, consumers, kind, mode, false);
    }
  }

  @ParameterizedTest(name = "{0}, {1} producers x {2} consumers, {3} threads")
  @MethodSource("cases")
  void everyItemArrivesWhenTheChannelClosesOnlyAfterTheProducers(
      Capacity capacity, int producers, int consumers, StressThreads.Kind kind) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      runRound(capacity, producers, consumers, kind, null, round % 2 == 0);
    }
  }

  @ParameterizedTest(name = "{0}, {1} producers x {2} consumers, {3} threads")
  @MethodSource("cases")
  void timedAndPollingOperationsDeliverExactlyOnceWhenClosedAtARandomMoment(
      Capacity capacity, int producers, int consumers, StressThreads.Kind kind) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      CloseMode mode = CloseMode.values()[round % CloseMode.values().length];
      runTimedRound(capacity, producers, consumers, kind, mode);
    }
  }

  /**
   * One round with blocking {@code send} and {@code receive}.
   *
   * @param mode how the closer closes at a random moment; null to close only after every producer
   *     is done (then every item must arrive)
   * @param useSenders with {@code mode == null}: each producer sends through its own {@link
   *     Sender}, and the last one closed closes the channel; otherwise a closer thread closes it
   *     after joining the producers
   */
  private static void runRound(
      Capacity capacity,
      int producers,
      int consumers,
      StressThreads.Kind kind,
      @Nullable CloseMode mode,
      boolean useSenders)
      throws InterruptedException {
    Round round = new Round(capacity, producers, consumers, kind, mode);
    round.failIfHungBefore();
    Channel<Item> channel = round.channel;
    List<Sender<Item>> senders = new ArrayList<>();
    for (int p = 0; p < producers && useSenders; p++) {
      senders.add(channel.openSender());
    }
    StressThreads workers = new StressThreads(kind);
    List<Thread> producerThreads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      @Nullable Sender<Item> sender = useSenders ? senders.get(p) : null;
      producerThreads.add(
          workers.start(
              "producer-" + p,
              () -> {
                round.start.await();
                try {
                  for (int s = 0; s < round.perProducer; s++) {
                    Item item = new Item(producer, s);
                    boolean closed = channel.isClosedForSend();
                    if (sender != null) {
                      sender.send(item);
                    } else {
                      channel.send(item);
                    }
                    if (closed) {
                      throw new AssertionError(
                          "sent " + item + " although isClosedForSend() was true before");
                    }
                    round.sent[producer] = s + 1;
                    round.closeGate.countDown();
                  }
                } catch (ChannelClosedException e) {
                  // closed: the item being sent was not sent; stop
                } finally {
                  if (sender != null) {
                    sender.close();
                  }
                }
              }));
    }
    for (int c = 0; c < consumers; c++) {
      int consumer = c;
      workers.start(
          "consumer-" + c,
          () -> {
            round.start.await();
            List<Item> mine = round.received.get(consumer);
            try {
              while (true) {
                boolean drained = channel.isClosedForReceive();
                Item item = channel.receive();
                if (drained) {
                  throw new AssertionError(
                      "received " + item + " although isClosedForReceive() was true before");
                }
                mine.add(item);
              }
            } catch (ChannelClosedException e) {
              round.ends[consumer] = e;
            }
          });
    }
    if (!useSenders) {
      workers.start(
          "closer",
          () -> {
            round.start.await();
            if (mode == null) {
              for (Thread producer : producerThreads) {
                producer.join();
              }
            } else {
              round.closeGate.await();
            }
            round.close();
          });
    }
    round.start.countDown();
    round.join(workers);
    round.check();
  }

  /** One round with timed {@code trySend} and timed or polling {@code tryReceive}. */
  private static void runTimedRound(
      Capacity capacity, int producers, int consumers, StressThreads.Kind kind, CloseMode mode)
      throws InterruptedException {
    Round round = new Round(capacity, producers, consumers, kind, mode);
    round.failIfHungBefore();
    Channel<Item> channel = round.channel;
    StressThreads workers = new StressThreads(kind);
    for (int p = 0; p < producers; p++) {
      int producer = p;
      workers.start(
          "producer-" + p,
          () -> {
            round.start.await();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            try {
              for (int s = 0; s < round.perProducer; s++) {
                Item item = new Item(producer, s);
                boolean closed = channel.isClosedForSend();
                while (true) {
                  boolean sent;
                  if (random.nextInt(4) == 0) {
                    sent = channel.trySend(item);
                    if (!sent) {
                      Thread.yield();
                    }
                  } else {
                    sent = channel.trySend(item, Duration.ofNanos(random.nextLong(200_000)));
                  }
                  if (sent) {
                    break;
                  }
                }
                if (closed) {
                  throw new AssertionError(
                      "sent " + item + " although isClosedForSend() was true before");
                }
                round.sent[producer] = s + 1;
                round.closeGate.countDown();
              }
            } catch (ChannelClosedException e) {
              // closed: the item being sent was not sent; stop
            }
          });
    }
    for (int c = 0; c < consumers; c++) {
      int consumer = c;
      workers.start(
          "consumer-" + c,
          () -> {
            round.start.await();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            List<Item> mine = round.received.get(consumer);
            try {
              while (true) {
                boolean drained = channel.isClosedForReceive();
                Optional<Item> item =
                    random.nextBoolean()
                        ? channel.tryReceive()
                        : channel.tryReceive(Duration.ofNanos(random.nextLong(200_000)));
                if (item.isEmpty()) {
                  Thread.yield();
                  continue;
                }
                if (drained) {
                  throw new AssertionError(
                      "received " + item.get() + " although isClosedForReceive() was true before");
                }
                mine.add(item.get());
              }
            } catch (ChannelClosedException e) {
              round.ends[consumer] = e;
            }
          });
    }
    workers.start(
        "closer",
        () -> {
          round.start.await();
          round.closeGate.await();
          round.close();
        });
    round.start.countDown();
    round.join(workers);
    round.check();
  }

  /** The shared state of one round and the checks on it. */
  private static final class Round {
    final Capacity capacity;
    final int producers;
    final int consumers;
    final StressThreads.Kind kind;
    final @Nullable CloseMode mode;
    final Channel<Item> channel;
    final int perProducer;
    final int closeAfter;
    final @Nullable Throwable cause;
    final CountDownLatch start = new CountDownLatch(1);

    /** Counted down by each completed send; the closer closes once it reaches zero. */
    final CountDownLatch closeGate;

    /** Per producer: how many of its sends returned normally (written by it, read after join). */
    final int[] sent;

    /** Per consumer: what it received, in order (written by it, read after join). */
    final List<List<Item>> received = new ArrayList<>();

    /** Per consumer: the exception that ended it. */
    final @Nullable ChannelClosedException[] ends;

    final AtomicReference<List<Item>> cancelled = new AtomicReference<>(List.of());

    Round(
        Capacity capacity,
        int producers,
        int consumers,
        StressThreads.Kind kind,
        @Nullable CloseMode mode) {
      this.capacity = capacity;
      this.producers = producers;
      this.consumers = consumers;
      this.kind = kind;
      this.mode = mode;
      this.channel = capacity.create();
      this.perProducer = Math.max(1, ITEMS / producers);
      this.closeAfter =
          mode == null ? 0 : ThreadLocalRandom.current().nextInt(producers * perProducer + 1);
      this.closeGate = new CountDownLatch(closeAfter);
      this.cause =
          mode == CloseMode.CLOSE_WITH_CAUSE || mode == CloseMode.CANCEL
              ? new IllegalStateException("closed by the test")
              : null;
      this.sent = new int[producers];
      this.ends = new ChannelClosedException[consumers];
      for (int c = 0; c < consumers; c++) {
        received.add(new ArrayList<>());
      }
    }

    void close() {
      if (mode == null || mode == CloseMode.CLOSE) {
        channel.close();
      } else if (mode == CloseMode.CLOSE_WITH_CAUSE) {
        channel.close(cause);
      } else {
        cancelled.set(channel.cancel(cause));
      }
    }

    void failIfHungBefore() {
      String hang = HUNG.get(capacity);
      if (hang != null) {
        throw new AssertionError(
            "not run: a round on " + capacity + " hung before, see that failure: " + hang);
      }
    }

    void join(StressThreads workers) throws InterruptedException {
      try {
        workers.joinAll(
            ROUND_TIMEOUT,
            describe(),
            () -> channel.cancel(new AssertionError("cancelled by the test after a hang")));
      } catch (StressThreads.HangError e) {
        HUNG.putIfAbsent(capacity, describe());
        throw e;
      }
    }

    String describe() {
      return capacity
          + ", "
          + producers
          + " producers x "
          + consumers
          + " consumers, "
          + kind
          + " threads, "
          + (mode == null ? "closed after the producers" : mode + " after " + closeAfter + " sends")
          + ", "
          + perProducer
          + " items per producer";
    }

    void check() {
      String context = describe();
      assertThat(channel.isClosedForReceive()).as("closed for receive: %s", context).isTrue();
      assertThat(channel.size()).as("size after the round: %s", context).isZero();
      for (int c = 0; c < consumers; c++) {
        ChannelClosedException end = ends[c];
        assertThat(end).as("how consumer-%d ended: %s", c, context).isNotNull();
        assertThat(end.getCause()).as("cause seen by consumer-%d: %s", c, context).isSameAs(cause);
      }
      if (mode == null) {
        for (int p = 0; p < producers; p++) {
          assertThat(sent[p]).as("sends of producer-%d: %s", p, context).isEqualTo(perProducer);
        }
      }

      // Exactly once, and nothing that was not sent.
      boolean[][] seen = new boolean[producers][];
      for (int p = 0; p < producers; p++) {
        seen[p] = new boolean[sent[p]];
      }
      List<Item> delivered = new ArrayList<>();
      received.forEach(delivered::addAll);
      delivered.addAll(cancelled.get());
      for (Item item : delivered) {
        int p = item.producer();
        if (p < 0 || p >= producers || item.sequence() < 0 || item.sequence() >= sent[p]) {
          throw new AssertionError(
              item
                  + " was delivered but never sent (producer sends that returned: "
                  + Arrays.toString(sent)
                  + "): "
                  + context);
        }
        if (seen[p][item.sequence()]) {
          throw new AssertionError(item + " was delivered twice: " + context);
        }
        seen[p][item.sequence()] = true;
      }
      for (int p = 0; p < producers; p++) {
        for (int s = 0; s < sent[p]; s++) {
          if (!seen[p][s]) {
            throw new AssertionError(
                new Item(p, s)
                    + " was sent but never received nor returned by cancel"
                    + " (delivered "
                    + delivered.size()
                    + " of "
                    + Arrays.stream(sent).sum()
                    + "): "
                    + context);
          }
        }
      }

      // Per-producer order, for each consumer and for cancel.
      int[] lastReceived = new int[producers];
      Arrays.fill(lastReceived, -1);
      for (int c = 0; c < consumers; c++) {
        checkOrder("consumer-" + c, received.get(c), lastReceived, context);
      }
      int[] lastCancelled = new int[producers];
      Arrays.fill(lastCancelled, -1);
      checkOrder("cancel", cancelled.get(), lastCancelled, context);
      for (Item item : cancelled.get()) {
        int p = item.producer();
        if (item.sequence() < lastReceived[p]) {
          throw new AssertionError(
              "cancel returned "
                  + item
                  + " although a consumer received the later item "
                  + new Item(p, lastReceived[p])
                  + ": "
                  + context);
        }
      }

      // One producer, one consumer: FIFO.
      if (producers == 1 && consumers == 1) {
        List<Item> inOrder = new ArrayList<>(received.get(0));
        inOrder.addAll(cancelled.get());
        for (int s = 0; s < inOrder.size(); s++) {
          if (inOrder.get(s).sequence() != s) {
            throw new AssertionError(
                "not FIFO: position " + s + " holds " + inOrder.get(s) + ": " + context);
          }
        }
      }
    }

    /**
     * Checks that {@code items} holds each producer's items in increasing sequence, and records in
     * {@code highest} the highest sequence per producer.
     */
    private static void checkOrder(String who, List<Item> items, int[] highest, String context) {
      int[] last = new int[highest.length];
      Arrays.fill(last, -1);
      for (Item item : items) {
        int p = item.producer();
        if (item.sequence() <= last[p]) {
          throw new AssertionError(
              who
                  + " got "
                  + item
                  + " after "
                  + new Item(p, last[p])
                  + ": items of one producer out of order: "
                  + context);
        }
        last[p] = item.sequence();
        highest[p] = Math.max(highest[p], item.sequence());
      }
    }
  }
}
