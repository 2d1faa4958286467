package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
import static dev.sluice.testing.Channels.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ChannelKind;
import dev.sluice.testing.ChannelParams;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Channel#openSender()} and {@link Sender}: the channel closes when its last sender does.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelSenderTest {

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void channelClosesWhenEverySenderIsClosed(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> first = channel.openSender();
    Sender<Integer> second = channel.openSender();
    Sender<Integer> third = channel.openSender();

    first.close();
    third.close();
    assertThat(channel.isClosedForSend()).isFalse();

    second.close();
    assertThat(channel.isClosedForSend()).isTrue();
    assertThat(channel.close()).as("close() after the last sender closed it").isFalse();
    assertThatThrownBy(channel::tryReceive).isInstanceOf(ChannelClosedException.class).hasNoCause();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closingTheSameSenderTwiceCountsOnce(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> first = channel.openSender();
    Sender<Integer> second = channel.openSender();

    first.close();
    first.close();
    first.close();
    assertThat(channel.isClosedForSend()).isFalse();

    second.close();
    assertThat(channel.isClosedForSend()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closingTheLastSenderLeavesTheBufferedItemsReceivable(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    Sender<Integer> sender = channel.openSender();
    List<Integer> items = range(0, kind.room(3));
    for (Integer item : items) {
      sender.send(item);
    }

    sender.close();

    assertThat(channel.isClosedForSend()).isTrue();
    assertThat(drainNow(channel)).isEqualTo(items);
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void explicitCloseWorksWhileSendersAreOpen(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> sender = channel.openSender();

    assertThat(channel.close()).isTrue();

    assertThat(channel.isClosedForSend()).isTrue();
    assertThatThrownBy(() -> sender.send(1)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> sender.trySend(1)).isInstanceOf(ChannelClosedException.class);
    sender.close();
    assertThat(channel.close()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closingTheLastSenderKeepsTheCauseOfAnEarlierClose(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> sender = channel.openSender();
    IOException cause = new IOException("producer failed");
    channel.close(cause);

    sender.close();

    assertThatThrownBy(channel::tryReceive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closingASenderOfACancelledChannelIsHarmless(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> sender = channel.openSender();
    IOException cause = new IOException("stop");
    channel.cancel(cause);

    sender.close();
    sender.close();

    assertThatThrownBy(channel::tryReceive)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void openSenderOnAClosedChannelThrows(ChannelKind kind) {
    Channel<Integer> closed = kind.create();
    closed.close();
    Channel<Integer> cancelled = kind.create();
    cancelled.cancel(new IOException("stop"));

    assertThatThrownBy(closed::openSender).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(cancelled::openSender).isInstanceOf(ChannelClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void sendThroughAClosedSenderThrowsWhileTheChannelStaysOpen(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    Sender<Integer> closed = channel.openSender();
    Sender<Integer> open = channel.openSender();

    closed.close();

    assertThatThrownBy(() -> closed.send(1)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> closed.trySend(1)).isInstanceOf(ChannelClosedException.class);
    assertThat(channel.isClosedForSend()).isFalse();
    assertThat(channel.size()).isZero();
    assertThat(open.trySend(2)).isEqualTo(kind.buffers());
    assertThat(drainNow(channel)).isEqualTo(kind.buffers() ? List.of(2) : List.of());
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16"})
  void senderTrySendReturnsFalseWhenTheChannelIsFull(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    Sender<Integer> sender = channel.openSender();
    for (int i = 0; i < kind.capacity(); i++) {
      assertThat(sender.trySend(i)).isTrue();
    }

    assertThat(sender.trySend(-1)).isFalse();

    assertThat(drainNow(channel)).isEqualTo(range(0, kind.capacity()));
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void senderBlockedOnAFullChannelThrowsWhenTheChannelCloses(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    Sender<Integer> sender = channel.openSender();
    Worker<Void> blocked = workers.run(threads, () -> sender.send(-1)).awaitBlocked();

    channel.close();

    assertThat(blocked.failure()).isInstanceOf(ChannelClosedException.class);
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void senderBlockedOnAFullChannelResumesWhenAReceiverTakes(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    Sender<Integer> sender = channel.openSender();
    Worker<Void> blocked = workers.run(threads, () -> sender.send(-1)).awaitBlocked();

    List<Integer> received = new ArrayList<>();
    for (int i = 0; i <= kind.capacity(); i++) {
      received.add(channel.receive());
    }

    blocked.join();
    List<Integer> expected = new ArrayList<>(items);
    expected.add(-1);
    assertThat(received)
        .as("the buffered items in order, then the waiting one")
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void producersWithTheirOwnSendersEndTheStreamWithoutASentinel(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    int producers = 4;
    int perProducer = 500;
    // Open every sender before starting any producer: a fast producer may finish at once.
    List<Sender<Integer>> senders = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      senders.add(channel.openSender());
    }
    List<Worker<Void>> workerList = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Sender<Integer> sender = senders.get(p);
      int base = p * perProducer;
      workerList.add(
          workers.run(
              threads,
              () -> {
                try (sender) {
                  for (int i = 0; i < perProducer; i++) {
                    sender.send(base + i);
                  }
                }
              }));
    }

    List<Integer> received = channel.stream().toList();

    Workers.joinAll(workerList);
    assertThat(received).containsExactlyInAnyOrderElementsOf(range(0, producers * perProducer));
    for (int p = 0; p < producers; p++) {
      int producer = p;
      assertThat(received.stream().filter(i -> i / perProducer == producer).toList())
          .as("items of producer %d", p)
          .isSorted();
    }
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void concurrentClosesOfOneSenderCountOnce(ThreadKind threads, Workers workers) {
    Channel<Integer> channel = Channel.bounded(4);
    Sender<Integer> shared = channel.openSender();
    channel.openSender(); // stays open: the channel must stay open too
    CountDownLatch start = new CountDownLatch(1);
    List<Worker<Void>> closers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      closers.add(
          workers.run(
              threads,
              () -> {
                start.await();
                shared.close();
              }));
    }

    start.countDown();
    Workers.joinAll(closers);

    assertThat(channel.isClosedForSend()).isFalse();
  }
}
