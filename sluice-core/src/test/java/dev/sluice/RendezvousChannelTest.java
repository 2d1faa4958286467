package dev.sluice;

import static dev.sluice.testing.Channels.range;
import static dev.sluice.testing.Channels.receiveUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What is particular to {@link Channel#rendezvous()}: a send is a hand-off to a receiver. */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class RendezvousChannelTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int ROUNDS = 20;

  private final Channel<String> channel = Channel.rendezvous();

  @Test
  void trySendReturnsFalseWhenNoReceiverIsWaiting() {
    assertThat(channel.trySend("x")).isFalse();

    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).as("the refused item is not kept").isEmpty();
  }

  @Test
  void tryReceiveIsEmptyWhenNoSenderIsWaiting() {
    assertThat(channel.tryReceive()).isEmpty();
    assertThat(channel.isClosedForReceive()).isFalse();
  }

  @Test
  void timedTrySendReturnsFalseWhenNoReceiverComesAndKeepsNothing() throws Exception {
    assertThat(channel.trySend("x", Duration.ofMillis(20))).isFalse();

    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void sendCompletesOnlyWhenAReceiverTakesTheItem(ThreadKind threads, Workers workers)
      throws Exception {
    Worker<Void> sender = workers.run(threads, () -> channel.send("x")).awaitBlocked();
    assertThat(channel.size()).isZero();
    sender.assertBlocked();

    assertThat(channel.receive()).isEqualTo("x");

    sender.join();
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void tryReceiveTakesTheItemOfAWaitingSender(ThreadKind threads, Workers workers) {
    Worker<Void> sender = workers.run(threads, () -> channel.send("x")).awaitBlocked();

    assertThat(channel.tryReceive()).contains("x");

    sender.join();
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void trySendHandsTheItemToAWaitingReceiver(ThreadKind threads, Workers workers) {
    Worker<String> receiver = workers.call(threads, channel::receive).awaitBlocked();

    assertThat(channel.trySend("x")).isTrue();

    assertThat(receiver.join()).isEqualTo("x");
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void timedTrySendSucceedsWhenAReceiverArrivesInTime(ThreadKind threads, Workers workers)
      throws Exception {
    Worker<Boolean> sender = workers.call(threads, () -> channel.trySend("x", LONG)).awaitBlocked();

    assertThat(channel.receive()).isEqualTo("x");

    assertThat(sender.join()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void timedTryReceiveTakesFromASenderThatArrivesInTime(ThreadKind threads, Workers workers)
      throws Exception {
    Worker<Optional<String>> receiver =
        workers.call(threads, () -> channel.tryReceive(LONG)).awaitBlocked();

    channel.send("x");

    assertThat(receiver.join()).contains("x");
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void sizeStaysZeroWhileSendersWait(ThreadKind threads, Workers workers) throws Exception {
    List<Worker<Void>> senders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String item = "item-" + i;
      senders.add(workers.run(threads, () -> channel.send(item)));
    }
    Workers.awaitAllBlocked(senders);

    assertThat(channel.size()).isZero();

    List<String> received = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      received.add(channel.receive());
    }
    Workers.joinAll(senders);
    assertThat(received).containsExactlyInAnyOrder("item-0", "item-1", "item-2");
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void closeFailsWaitingSendersAndDeliversNoneOfTheirItems(ThreadKind threads, Workers workers) {
    List<Worker<?>> senders = new ArrayList<>();
    senders.add(workers.run(threads, () -> channel.send("a")));
    senders.add(workers.call(threads, () -> channel.trySend("b", LONG)));
    Workers.awaitAllBlocked(senders);

    assertThat(channel.close()).isTrue();

    for (Worker<?> sender : senders) {
      assertThat(sender.failure()).isInstanceOf(ChannelClosedException.class);
    }
    assertThat(channel.isClosedForReceive()).isTrue();
    assertThatThrownBy(channel::receive).isInstanceOf(ChannelClosedException.class).hasNoCause();
  }

  /**
   * A sender still parked when the channel closes has not delivered its item and must throw; a
   * receive right after the close must not take the item in the moment before that sender wakes. (A
   * race, so several rounds.)
   */
  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void receiveRightAfterCloseTakesNothingFromAWaitingSender(ThreadKind threads, Workers workers) {
    for (int round = 0; round < ROUNDS; round++) {
      Channel<String> fresh = Channel.rendezvous();
      Worker<Void> sender = workers.run(threads, () -> fresh.send("a")).awaitBlocked();

      fresh.close();

      assertThat(fresh.isClosedForReceive()).isTrue();
      assertThatThrownBy(fresh::tryReceive)
          .as("round %d", round)
          .isInstanceOf(ChannelClosedException.class);
      assertThat(sender.failure()).isInstanceOf(ChannelClosedException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void receiveRightAfterCancelTakesNothingFromAWaitingSender(ThreadKind threads, Workers workers) {
    for (int round = 0; round < ROUNDS; round++) {
      Channel<String> fresh = Channel.rendezvous();
      Worker<Void> sender = workers.run(threads, () -> fresh.send("a")).awaitBlocked();
      IOException cause = new IOException("stop");

      assertThat(fresh.cancel(cause)).isEmpty();

      assertThatThrownBy(fresh::tryReceive)
          .as("round %d", round)
          .isInstanceOf(ChannelClosedException.class)
          .cause()
          .isSameAs(cause);
      assertThat(sender.failure())
          .isInstanceOf(ChannelClosedException.class)
          .cause()
          .isSameAs(cause);
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void cancelReturnsAnEmptyListAndFailsWaitingSendersWithTheCause(
      ThreadKind threads, Workers workers) {
    Worker<Void> sender = workers.run(threads, () -> channel.send("a")).awaitBlocked();
    IOException cause = new IOException("stop");

    assertThat(channel.cancel(cause)).isEmpty();

    assertThat(sender.failure()).isInstanceOf(ChannelClosedException.class).cause().isSameAs(cause);
    assertThatThrownBy(channel::receive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void aProducerAndAConsumerHandOffEveryItemInOrder(ThreadKind threads, Workers workers)
      throws Exception {
    Channel<Integer> ints = Channel.rendezvous();
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              for (int i = 0; i < 2_000; i++) {
                ints.send(i);
              }
              ints.close();
            });

    assertThat(receiveUntilClosed(ints)).isEqualTo(range(0, 2_000));
    producer.join();
  }
}
