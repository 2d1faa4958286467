package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
import static dev.sluice.testing.Channels.range;
import static dev.sluice.testing.Channels.receiveUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ChannelKind;
import dev.sluice.testing.ChannelParams;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code close()}, {@code close(cause)} and {@code cancel(cause)}: return values, what happens to
 * buffered items and to blocked callers, and the {@code isClosedFor*} states on the way.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelCloseTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  // ---- close ----

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closeReturnsTrueOnlyTheFirstTime(ChannelKind kind) {
    Channel<Integer> channel = kind.create();

    assertThat(channel.close()).isTrue();
    assertThat(channel.close()).isFalse();
    assertThat(channel.close(new IOException("late"))).isFalse();
    assertThat(channel.close()).isFalse();

    assertThat(channel.isClosedForSend()).isTrue();
    assertThatThrownBy(channel::tryReceive).isInstanceOf(ChannelClosedException.class).hasNoCause();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closeWithACauseReturnsTrueOnceAndKeepsTheFirstCause(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    IOException first = new IOException("first");

    assertThat(channel.close(first)).isTrue();
    assertThat(channel.close(new IOException("second"))).isFalse();
    assertThat(channel.close()).isFalse();

    assertThatThrownBy(channel::receive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(first);
    assertThatThrownBy(channel::tryReceive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(first);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void everySendThrowsAfterClose(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(2));
    channel.close();

    assertThatThrownBy(() -> channel.send(-1)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> channel.trySend(-2)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> channel.trySend(-3, Duration.ZERO))
        .isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> channel.trySend(-4, LONG)).isInstanceOf(ChannelClosedException.class);

    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(receiveUntilClosed(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void receiveDrainsBufferedItemsAfterClose(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(3));

    channel.close();

    assertThat(channel.size()).isEqualTo(items.size());
    List<Integer> received = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      assertThat(channel.isClosedForReceive()).isFalse();
      received.add(channel.receive());
    }
    assertThat(received).isEqualTo(items);
    assertThat(channel.size()).isZero();
    assertThat(channel.isClosedForReceive()).isTrue();
    assertThatThrownBy(channel::receive).isInstanceOf(ChannelClosedException.class).hasNoCause();
    assertThatThrownBy(channel::tryReceive).isInstanceOf(ChannelClosedException.class).hasNoCause();
    assertThatThrownBy(() -> channel.tryReceive(LONG))
        .isInstanceOf(ChannelClosedException.class)
        .hasNoCause();
    // And again: a drained closed channel keeps throwing.
    assertThatThrownBy(channel::receive).isInstanceOf(ChannelClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void receiversSeeTheCloseCauseOnlyAfterDraining(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(3));
    IOException cause = new IOException("producer failed");

    channel.close(cause);

    List<Integer> received = new ArrayList<>();
    received.add(channel.tryReceive().orElseThrow());
    while (received.size() < items.size()) {
      received.add(channel.tryReceive(LONG).orElseThrow());
    }
    assertThat(received).isEqualTo(items);
    assertThatThrownBy(channel::receive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
    assertThatThrownBy(() -> channel.tryReceive(LONG))
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closedEmptyChannelIsClosedForReceiveAtOnce(ChannelKind kind) {
    Channel<Integer> channel = kind.create();

    channel.close();

    assertThat(channel.isClosedForSend()).isTrue();
    assertThat(channel.isClosedForReceive()).isTrue();
    assertThat(channel.size()).isZero();
    assertThatThrownBy(() -> channel.tryReceive(LONG)).isInstanceOf(ChannelClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void closedForSendAndClosedForReceiveFollowTheLifecycle(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    assertStates(channel, false, false, 0);

    List<Integer> items = fill(channel, kind.room(2));
    assertStates(channel, false, false, items.size());

    channel.close();
    assertStates(channel, true, false, items.size());

    channel.receive();
    assertStates(channel, true, items.size() == 1, items.size() - 1);

    drainNow(channel);
    assertStates(channel, true, true, 0);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void cancelledChannelIsClosedForSendAndReceive(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    fill(channel, kind.room(2));

    channel.cancel(new IOException("stop"));

    assertStates(channel, true, true, 0);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void blockedSendersAllThrowWhenTheChannelCloses(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    List<Worker<?>> senders = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int item = -i;
      senders.add(workers.run(threads, () -> channel.send(item)));
    }
    senders.add(workers.call(threads, () -> channel.trySend(-4, LONG)));
    Workers.awaitAllBlocked(senders);

    assertThat(channel.close()).isTrue();

    for (Worker<?> sender : senders) {
      assertThat(sender.failure()).isInstanceOf(ChannelClosedException.class);
    }
    assertThat(receiveUntilClosed(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void blockedReceiversOnAnEmptyChannelWakeAndThrowOnClose(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Worker<?>> receivers = startBlockedReceivers(channel, threads, workers);

    assertThat(channel.close()).isTrue();

    for (Worker<?> receiver : receivers) {
      assertThat(receiver.failure()).isInstanceOf(ChannelClosedException.class).hasNoCause();
    }
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void blockedReceiversOnAnEmptyChannelWakeAndThrowTheCauseOnCloseWithACause(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Worker<?>> receivers = startBlockedReceivers(channel, threads, workers);
    IOException cause = new IOException("producer failed");

    assertThat(channel.close(cause)).isTrue();

    for (Worker<?> receiver : receivers) {
      assertThat(receiver.failure())
          .isInstanceOf(ChannelClosedException.class)
          .cause()
          .isSameAs(cause);
    }
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void itemsSentBeforeCloseAllReachTheReceiver(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              for (int i = 0; i < 100; i++) {
                channel.send(i);
              }
              channel.close();
            });

    assertThat(receiveUntilClosed(channel)).isEqualTo(range(0, 100));
    producer.join();
  }

  // ---- cancel ----

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void cancelReturnsTheUndeliveredItemsInOrder(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(5));
    IOException cause = new IOException("stop");
    if (items.size() > 1) {
      assertThat(channel.receive()).isEqualTo(0);
      items = items.subList(1, items.size());
    }

    assertThat(channel.cancel(cause)).isEqualTo(items);

    assertThat(channel.size()).isZero();
    assertThatThrownBy(channel::receive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
    assertThatThrownBy(channel::tryReceive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
    assertThatThrownBy(() -> channel.send(-1)).isInstanceOf(ChannelClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void cancelOfAnEmptyChannelReturnsAnEmptyList(ChannelKind kind) {
    Channel<Integer> channel = kind.create();

    assertThat(channel.cancel(new IOException("stop"))).isEmpty();
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closeAndCancelAfterCancelChangeNothing(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    fill(channel, kind.room(2));
    IOException first = new IOException("first");
    channel.cancel(first);

    assertThat(channel.close()).isFalse();
    assertThat(channel.close(new IOException("second"))).isFalse();
    assertThat(channel.cancel(new IOException("third"))).isEmpty();

    assertThatThrownBy(channel::tryReceive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(first);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void cancelAfterCloseReturnsTheRemainingItemsAndKeepsTheFirstCause(ChannelKind kind)
      throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(4));
    IOException first = new IOException("first");
    channel.close(first);
    List<Integer> remaining = items;
    if (items.size() > 1) {
      assertThat(channel.receive()).isEqualTo(0);
      remaining = items.subList(1, items.size());
    }

    assertThat(channel.cancel(new IOException("second"))).isEqualTo(remaining);

    assertThat(channel.isClosedForReceive()).isTrue();
    assertThatThrownBy(channel::receive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(first);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void cancelWakesBlockedSendersWithTheCauseAndReturnsOnlyBufferedItems(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    List<Worker<?>> senders = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int item = -i;
      senders.add(workers.run(threads, () -> channel.send(item)));
    }
    senders.add(workers.call(threads, () -> channel.trySend(-4, LONG)));
    Workers.awaitAllBlocked(senders);
    IOException cause = new IOException("stop");

    assertThat(channel.cancel(cause)).isEqualTo(items);

    for (Worker<?> sender : senders) {
      assertThat(sender.failure())
          .isInstanceOf(ChannelClosedException.class)
          .cause()
          .isSameAs(cause);
    }
    assertThat(channel.size()).isZero();
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void cancelWakesBlockedReceiversWithTheCause(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Worker<?>> receivers = startBlockedReceivers(channel, threads, workers);
    IOException cause = new IOException("stop");

    assertThat(channel.cancel(cause)).isEmpty();

    for (Worker<?> receiver : receivers) {
      assertThat(receiver.failure())
          .isInstanceOf(ChannelClosedException.class)
          .cause()
          .isSameAs(cause);
    }
  }

  private static List<Worker<?>> startBlockedReceivers(
      Channel<Integer> channel, ThreadKind threads, Workers workers) {
    List<Worker<?>> receivers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      receivers.add(workers.call(threads, channel::receive));
    }
    receivers.add(workers.call(threads, () -> channel.tryReceive(LONG)));
    Workers.awaitAllBlocked(receivers);
    return receivers;
  }

  private static void assertStates(
      Channel<?> channel, boolean closedForSend, boolean closedForReceive, int size) {
    assertThat(channel.isClosedForSend()).as("isClosedForSend").isEqualTo(closedForSend);
    assertThat(channel.isClosedForReceive()).as("isClosedForReceive").isEqualTo(closedForReceive);
    assertThat(channel.size()).as("size").isEqualTo(size);
  }
}
