package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ChannelKind;
import dev.sluice.testing.ChannelParams;
import dev.sluice.testing.CheckedCallable;
import dev.sluice.testing.CheckedRunnable;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupts: "a blocking method interrupted while waiting throws InterruptedException and leaves
 * no trace". Every interrupted call runs on a worker, never on the test thread.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelInterruptTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void interruptedBlockedSendThrowsAndSendsNothing(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Void> sender = workers.run(threads, () -> channel.send(-1)).awaitBlocked();
    sender.interrupt();

    assertThat(sender.failure()).isInstanceOf(InterruptedException.class);
    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
    assertThat(channel.tryReceive()).isEmpty();
    assertChannelStillWorks(channel, threads, workers);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void interruptedTimedTrySendThrowsAndSendsNothing(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Boolean> sender = workers.call(threads, () -> channel.trySend(-1, LONG)).awaitBlocked();
    sender.interrupt();

    assertThat(sender.failure()).isInstanceOf(InterruptedException.class);
    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
    assertThat(channel.tryReceive()).isEmpty();
    assertChannelStillWorks(channel, threads, workers);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void interruptedBlockedReceiveConsumesNothing(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Integer> interrupted = workers.call(threads, channel::receive).awaitBlocked();
    interrupted.interrupt();
    assertThat(interrupted.failure()).isInstanceOf(InterruptedException.class);

    Worker<Integer> next = workers.call(threads, channel::receive).awaitBlocked();
    channel.send(5);

    assertThat(next.join()).isEqualTo(5);
    assertThat(channel.size()).isZero();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void interruptedTimedTryReceiveConsumesNothing(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Optional<Integer>> interrupted =
        workers.call(threads, () -> channel.tryReceive(LONG)).awaitBlocked();
    interrupted.interrupt();
    assertThat(interrupted.failure()).isInstanceOf(InterruptedException.class);

    Worker<Optional<Integer>> next =
        workers.call(threads, () -> channel.tryReceive(LONG)).awaitBlocked();
    channel.send(5);

    assertThat(next.join()).contains(5);
    assertThat(channel.size()).isZero();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.BUFFERING)
  void itemSentAfterAnInterruptedReceiveStaysBuffered(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    Worker<Integer> interrupted = workers.call(threads, channel::receive).awaitBlocked();
    interrupted.interrupt();
    assertThat(interrupted.failure()).isInstanceOf(InterruptedException.class);

    assertThat(channel.trySend(5)).isTrue();

    assertThat(channel.size()).isEqualTo(1);
    assertThat(channel.tryReceive()).contains(5);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.RENDEZVOUS)
  void trySendFindsNoReceiverAfterTheWaitingReceiverWasInterrupted(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    Worker<Integer> interrupted = workers.call(threads, channel::receive).awaitBlocked();
    interrupted.interrupt();
    assertThat(interrupted.failure()).isInstanceOf(InterruptedException.class);

    // A stale waiter left behind would swallow the item here.
    assertThat(channel.trySend(5)).isFalse();
    assertThat(channel.trySend(6, Duration.ofMillis(20))).isFalse();
    assertChannelStillWorks(channel, threads, workers);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.RENDEZVOUS)
  void tryReceiveFindsNoSenderAfterTheWaitingSenderWasInterrupted(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    Worker<Void> interrupted = workers.run(threads, () -> channel.send(-1)).awaitBlocked();
    interrupted.interrupt();
    assertThat(interrupted.failure()).isInstanceOf(InterruptedException.class);

    assertThat(channel.tryReceive()).isEmpty();
    assertThat(channel.tryReceive(Duration.ofMillis(20))).isEmpty();
    assertChannelStillWorks(channel, threads, workers);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void interruptedSendClearsTheInterruptFlag(ChannelKind kind, ThreadKind threads, Workers workers)
      throws Exception {
    Channel<Integer> channel = kind.create();
    fill(channel, kind.capacity());

    Worker<Boolean> sender =
        workers.call(threads, flagAfterInterruptedException(() -> channel.send(-1)));
    sender.awaitBlocked().interrupt();

    assertThat(sender.join()).as("interrupt flag after InterruptedException").isFalse();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void interruptedReceiveClearsTheInterruptFlag(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Boolean> receiver =
        workers.call(threads, flagAfterInterruptedException(() -> channel.receive()));
    receiver.awaitBlocked().interrupt();

    assertThat(receiver.join()).as("interrupt flag after InterruptedException").isFalse();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void sendThatMustWaitThrowsAtOnceWhenTheInterruptFlagIsSet(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Void> sender =
        workers.run(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              channel.send(-1);
            });
    Worker<Boolean> timedSender =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              return channel.trySend(-2, LONG);
            });

    // Both fail long before their patience (or the timed send's 30 s) runs out.
    assertThat(sender.failure()).isInstanceOf(InterruptedException.class);
    assertThat(timedSender.failure()).isInstanceOf(InterruptedException.class);
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void receiveThatMustWaitThrowsAtOnceWhenTheInterruptFlagIsSet(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Integer> receiver =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              return channel.receive();
            });
    Worker<Optional<Integer>> timedReceiver =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              return channel.tryReceive(LONG);
            });

    assertThat(receiver.failure()).isInstanceOf(InterruptedException.class);
    assertThat(timedReceiver.failure()).isInstanceOf(InterruptedException.class);
    assertChannelStillWorks(channel, threads, workers);
  }

  /**
   * The javadoc leaves open whether a blocking call that need not wait checks the interrupt flag
   * first. The implementation does not: like {@code LinkedTransferQueue.put} (and unlike {@code
   * ArrayBlockingQueue.put}), a send that finds room completes and leaves the flag set for the
   * caller. This test documents that choice.
   */
  @ParameterizedTest
  @MethodSource(ChannelParams.BUFFERING)
  void sendWithRoomCompletesDespiteAPendingInterruptAndKeepsTheFlag(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Boolean> sender =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              channel.send(1);
              if (kind.room(2) > 1) {
                assertThat(channel.trySend(2, LONG)).isTrue();
              }
              return Thread.currentThread().isInterrupted();
            });

    assertThat(sender.join()).as("interrupt flag after sends that did not wait").isTrue();
    assertThat(drainNow(channel)).isEqualTo(List.of(1, 2).subList(0, kind.room(2)));
  }

  /** As for send: a receive that finds an item takes it and leaves the flag set. */
  @ParameterizedTest
  @MethodSource(ChannelParams.BUFFERING)
  void receiveOfAnAvailableItemCompletesDespiteAPendingInterruptAndKeepsTheFlag(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(2));

    Worker<Boolean> receiver =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              assertThat(channel.receive()).isEqualTo(0);
              if (items.size() > 1) {
                assertThat(channel.tryReceive(LONG)).contains(1);
              }
              return Thread.currentThread().isInterrupted();
            });

    assertThat(receiver.join()).as("interrupt flag after receives that did not wait").isTrue();
    assertThat(channel.size()).isZero();
  }

  /** On a rendezvous channel "room" is a waiting receiver, an "available item" a waiting sender. */
  @ParameterizedTest
  @MethodSource(ChannelParams.RENDEZVOUS)
  void rendezvousHandOffCompletesDespiteAPendingInterruptAndKeepsTheFlag(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    Worker<Integer> receiver = workers.call(threads, channel::receive).awaitBlocked();
    Worker<Boolean> sender =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              channel.send(1);
              return Thread.currentThread().isInterrupted();
            });
    assertThat(sender.join()).as("interrupt flag of the sender").isTrue();
    assertThat(receiver.join()).isEqualTo(1);

    Worker<Void> waitingSender = workers.run(threads, () -> channel.send(2)).awaitBlocked();
    Worker<Boolean> interruptedReceiver =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              assertThat(channel.receive()).isEqualTo(2);
              return Thread.currentThread().isInterrupted();
            });
    assertThat(interruptedReceiver.join()).as("interrupt flag of the receiver").isTrue();
    waitingSender.join();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void nonBlockingCallsWorkAndKeepTheInterruptFlag(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Boolean> worker =
        workers.call(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              assertThat(channel.trySend(1)).isEqualTo(kind.buffers());
              assertThat(channel.tryReceive())
                  .isEqualTo(kind.buffers() ? Optional.of(1) : Optional.empty());
              assertThat(channel.size()).isZero();
              channel.close();
              assertThatThrownBy(channel::tryReceive).isInstanceOf(ChannelClosedException.class);
              return Thread.currentThread().isInterrupted();
            });

    assertThat(worker.join()).as("interrupt flag").isTrue();
  }

  /** Runs {@code call}, expects InterruptedException, and returns the interrupt flag after it. */
  private static CheckedCallable<Boolean> flagAfterInterruptedException(CheckedRunnable call) {
    return () -> {
      try {
        call.run();
      } catch (InterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
      throw new AssertionError("expected InterruptedException");
    };
  }

  /** A receiver on another thread gets an item sent now. */
  private static void assertChannelStillWorks(
      Channel<Integer> channel, ThreadKind threads, Workers workers) throws Exception {
    Worker<Integer> receiver = workers.call(threads, channel::receive).awaitBlocked();
    channel.send(42);
    assertThat(receiver.join()).isEqualTo(42);
  }
}
