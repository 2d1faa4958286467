package dev.sluice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jetbrains.lincheck.Lincheck;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Model-checks the <em>blocking</em> side of {@link Channel} with Lincheck's general-purpose mode
 * ({@link Lincheck#runConcurrentTest}): each test is a small program whose threads send, receive,
 * close, cancel or interrupt (two to four threads), and Lincheck runs it under many interleavings
 * (it switches threads at every shared-memory access, lock, park and unpark), checking the
 * assertions at the end of each run and reporting any run where a thread stays parked with nobody
 * left to wake it: a lost wake-up.
 *
 * <p>{@link ChannelLincheckTest} checks linearizability of the non-blocking operations against a
 * model; this class covers what that cannot: parking and waking (the wait queues' publish, then
 * check, then park protocol), close and cancel reaching parked threads, and interrupts. Each
 * property is "exactly once or reported": every item a send accepted is received once, or handed
 * back by {@code cancel}; an item whose send threw is nowhere.
 *
 * <p>The programs check their results with plain {@code if}/{@code throw}: Lincheck records the
 * objects a run touches, and AssertJ's assertion objects refuse {@code equals}. Size: {@code 500 *
 * sluice.stress} interleavings per program, about 5 s each and 2 minutes for the class on a 2-core
 * machine. The programs fail when their subject is broken: with {@code WaitQueue.hasWaiters()}
 * always false (bounded channels' wake-ups lost) the hand-off program fails at once; with {@code
 * ArrayChannel.cancel} handing back nothing the cancel program fails with "item 1 accepted true,
 * received [], handed back []"; with {@code LinkedChannel}'s close waking nobody the close program
 * hangs on the unbounded channel within 2 s.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ChannelBlockingLincheckTest {

  private static final int INVOCATIONS = 500 * Math.max(1, Integer.getInteger("sluice.stress", 1));

  /**
   * The kinds of channel, as each program creates them afresh for every run. Lambdas, not method
   * references: a method reference to {@code Channel}'s static factories ({@code
   * Channel::unbounded}) makes Lincheck 3.7 itself hang ("Concurrent test has hung", no trace),
   * while the lambda {@code () -> Channel.unbounded()} runs.
   */
  @SuppressWarnings("Convert2MethodRef")
  enum Kind {
    CAPACITY_1(() -> Channel.bounded(1)),
    CAPACITY_2(() -> Channel.bounded(2)),
    UNBOUNDED(() -> Channel.unbounded()),
    RENDEZVOUS(() -> Channel.rendezvous());

    private final Supplier<Channel<Integer>> factory;

    Kind(Supplier<Channel<Integer>> factory) {
      this.factory = factory;
    }

    Channel<Integer> create() {
      return factory.get();
    }
  }

  /** A thread body that may throw. */
  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  /** What a program thread did: nothing went wrong, or the throwable it ended with. */
  private static final class Outcome {
    @Nullable Thread thread;
    volatile @Nullable Throwable thrown;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void oneProducerOneConsumerHandOverEveryItemInOrder(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          List<Integer> got = new ArrayList<>();
          Outcome producer =
              program.start(
                  () -> {
                    channel.send(1);
                    channel.send(2);
                  });
          Outcome consumer =
              program.start(
                  () -> {
                    got.add(channel.receive());
                    got.add(channel.receive());
                  });
          program.joinAll();
          expectNothingThrown(producer, consumer);
          expect(got.equals(List.of(1, 2)), "received " + got);
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void twoProducersTwoConsumersEachItemReceivedOnce(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          Integer[] got = new Integer[2];
          Outcome p1 = program.start(() -> channel.send(1));
          Outcome p2 = program.start(() -> channel.send(2));
          Outcome c1 = program.start(() -> got[0] = channel.receive());
          Outcome c2 = program.start(() -> got[1] = channel.receive());
          program.joinAll();
          expectNothingThrown(p1, p2, c1, c2);
          List<Integer> received = Arrays.asList(got);
          received.sort(Comparator.nullsFirst(Comparator.naturalOrder()));
          expect(received.equals(List.of(1, 2)), "received " + received);
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void closeAfterTheLastSendEndsEveryWaitingReceiverOnceTheItemIsTaken(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          List<Integer> got = Collections.synchronizedList(new ArrayList<>());
          Body drain = drainInto(channel, got, null);
          Outcome c1 = program.start(drain);
          Outcome c2 = program.start(drain);
          Outcome producer =
              program.start(
                  () -> {
                    channel.send(7);
                    channel.close();
                  });
          program.joinAll();
          expectNothingThrown(producer, c1, c2);
          expect(got.equals(List.of(7)), "received " + got);
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void aSendThatRacesACloseIsDeliveredOrRefusedNeverBothOrNeither(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          if (kind == Kind.CAPACITY_1) {
            channel.trySend(0); // full: the racing send has to wait for room
          }
          List<Integer> got = Collections.synchronizedList(new ArrayList<>());
          Throwable cause = new IllegalStateException("stop");
          Outcome sender = program.start(() -> channel.send(1));
          Outcome closer = program.start(() -> channel.close(cause));
          Outcome consumer = program.start(drainInto(channel, got, cause));
          program.joinAll();
          expectNothingThrown(closer, consumer);
          boolean refused =
              sender.thrown instanceof ChannelClosedException e && e.getCause() == cause;
          expect(sender.thrown == null || refused, "send ended with " + sender.thrown);
          boolean delivered = got.contains(1);
          expect(delivered != refused, "delivered " + delivered + ", refused " + refused);
          if (kind == Kind.CAPACITY_1) {
            expect(got.contains(0), "the buffered item was lost: " + got); // drain, then end
          }
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void cancelHandsBackWhatNobodyReceivedAndRefusesLaterSends(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          List<Integer> got = Collections.synchronizedList(new ArrayList<>());
          List<Integer> handedBack = new ArrayList<>();
          Throwable cause = new IllegalStateException("cancelled");
          boolean[] accepted = new boolean[3];
          Outcome producer =
              program.start(
                  () -> {
                    for (int item = 1; item <= 2; item++) {
                      try {
                        channel.send(item);
                        accepted[item] = true;
                      } catch (ChannelClosedException e) {
                        expect(e.getCause() == cause, "send refused with " + e.getCause());
                        return;
                      }
                    }
                  });
          Outcome canceller = program.start(() -> handedBack.addAll(channel.cancel(cause)));
          Outcome consumer = program.start(drainInto(channel, got, cause));
          program.joinAll();
          expectNothingThrown(producer, canceller, consumer);
          for (int item = 1; item <= 2; item++) {
            int copies = Collections.frequency(got, item) + Collections.frequency(handedBack, item);
            expect(
                copies == (accepted[item] ? 1 : 0),
                "item "
                    + item
                    + " accepted "
                    + accepted[item]
                    + ", received "
                    + got
                    + ", handed back "
                    + handedBack);
          }
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Kind.class,
      names = {"CAPACITY_1", "CAPACITY_2", "UNBOUNDED"}) // a rendezvous send would wait for good
  void anInterruptedReceiverTakesTheItemOrLeavesItInTheChannel(Kind kind) {
    check(
        kind,
        (program, channel) -> {
          Integer[] got = new Integer[1];
          Outcome consumer =
              program.start(
                  () -> {
                    try {
                      got[0] = channel.receive();
                    } catch (InterruptedException e) {
                      // interrupted before anything came: the item stays in the channel
                    }
                  });
          Outcome producer = program.start(() -> channel.send(5));
          Objects.requireNonNull(consumer.thread).interrupt();
          program.joinAll();
          expectNothingThrown(producer, consumer);
          int left = channel.tryReceive().isPresent() ? 1 : 0;
          int taken = got[0] == null ? 0 : 1;
          expect(taken + left == 1, "taken " + taken + ", left in the channel " + left);
        });
  }

  // ---------------------------------------------------------------------------------------------

  /** A program against a fresh channel; its checks throw {@link AssertionError}. */
  @FunctionalInterface
  private interface ChannelProgram {
    void run(Program program, Channel<Integer> channel) throws Exception;
  }

  /** Runs {@code body} under Lincheck, each time with a new channel of {@code kind}. */
  private static void check(Kind kind, ChannelProgram body) {
    Lincheck.runConcurrentTest(
        INVOCATIONS,
        () -> {
          Program program = new Program();
          try {
            body.run(program, kind.create());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  /** The threads of one run: started by the program, all joined before its checks. */
  private static final class Program {
    private final List<Thread> threads = new ArrayList<>();

    Outcome start(Body body) {
      Outcome outcome = new Outcome();
      Thread thread =
          new Thread(
              () -> {
                try {
                  body.run();
                } catch (Exception | AssertionError e) {
                  // Not every Throwable: Lincheck may end a run's threads with an Error of its
                  // own, which must reach it.
                  outcome.thrown = e;
                }
              });
      outcome.thread = thread;
      threads.add(thread);
      thread.start();
      return outcome;
    }

    void joinAll() {
      try {
        for (Thread thread : threads) {
          thread.join();
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Receives into {@code got} until the channel is closed and drained, and checks that it ended
   * with {@code cause} (null: a plain close).
   */
  private static Body drainInto(
      Channel<Integer> channel, List<Integer> got, @Nullable Throwable cause) {
    return () -> {
      while (true) {
        try {
          got.add(channel.receive());
        } catch (ChannelClosedException e) {
          expect(e.getCause() == cause, "receive ended with " + e.getCause());
          return;
        }
      }
    };
  }

  private static void expectNothingThrown(Outcome... outcomes) {
    for (Outcome outcome : outcomes) {
      if (outcome.thrown != null) {
        throw new AssertionError("a program thread failed: " + outcome.thrown, outcome.thrown);
      }
    }
  }

  private static void expect(boolean condition, String otherwise) {
    if (!condition) {
      throw new AssertionError(otherwise);
    }
  }
}
