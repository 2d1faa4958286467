package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
import static dev.sluice.testing.Channels.range;
import static dev.sluice.testing.Channels.receiveUntilClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.ChannelKind;
import dev.sluice.testing.ChannelParams;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Blocking send and receive between threads, for every channel kind on platform and virtual
 * threads: who waits, who wakes, and in which order items arrive.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelBlockingTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @ParameterizedTest
  @MethodSource(ChannelParams.BOUNDED)
  void sendBlocksWhileFullAndResumesWhenAReceiverTakes(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Void> sender = workers.run(threads, () -> channel.send(-1)).awaitBlocked();
    assertThat(channel.size()).isEqualTo(kind.capacity());
    sender.assertBlocked();

    assertThat(channel.receive()).isEqualTo(0);
    sender.join();

    List<Integer> expected = new ArrayList<>(items.subList(1, items.size()));
    expected.add(-1);
    assertThat(drainNow(channel)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void receiveBlocksWhileEmptyAndResumesOnSend(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Integer> receiver = workers.call(threads, channel::receive).awaitBlocked();
    assertThat(channel.size()).isZero();
    receiver.assertBlocked();

    channel.send(7);

    assertThat(receiver.join()).isEqualTo(7);
    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.BOUNDED)
  void severalBlockedSendersAllResumeAsRoomAppears(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    List<Worker<Void>> senders = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int item = -i;
      senders.add(workers.run(threads, () -> channel.send(item)));
    }
    Workers.awaitAllBlocked(senders);

    List<Integer> received = new ArrayList<>();
    for (int i = 0; i < items.size() + senders.size(); i++) {
      received.add(channel.receive());
    }
    Workers.joinAll(senders);

    assertThat(received.subList(0, items.size())).isEqualTo(items);
    assertThat(received.subList(items.size(), received.size()))
        .containsExactlyInAnyOrder(-1, -2, -3);
    assertThat(channel.size()).isZero();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void severalBlockedReceiversEachGetOneItem(ChannelKind kind, ThreadKind threads, Workers workers)
      throws Exception {
    Channel<Integer> channel = kind.create();
    List<Worker<Integer>> receivers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      receivers.add(workers.call(threads, channel::receive));
    }
    Workers.awaitAllBlocked(receivers);

    for (int i = 0; i < 3; i++) {
      channel.send(i);
    }

    assertThat(Workers.joinAll(receivers)).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(channel.size()).isZero();
  }

  /** Room for all of them appears at once: each blocked sender must be woken, not just one. */
  @ParameterizedTest
  @MethodSource(ChannelParams.BOUNDED)
  void drainingAFullChannelAtOnceWakesEveryBlockedSender(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());
    List<Worker<?>> senders = new ArrayList<>();
    for (int i = 0; i < kind.capacity(); i++) {
      int item = -1 - i;
      senders.add(
          i % 2 == 0
              ? workers.run(threads, () -> channel.send(item))
              : workers.call(threads, () -> channel.trySend(item, LONG)));
    }
    Workers.awaitAllBlocked(senders);

    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      taken.add(channel.tryReceive().orElseThrow()); // no waiting between the receives
    }
    assertThat(taken).isEqualTo(items);

    for (Worker<?> sender : senders) {
      sender.join();
    }
    assertThat(drainNow(channel)).hasSize(kind.capacity()).allMatch(item -> item < 0);
  }

  /** Items for all of them arrive at once: each blocked receiver must be woken, not just one. */
  @ParameterizedTest
  @MethodSource(ChannelParams.BUFFERING)
  void aBurstOfSendsWakesEveryBlockedReceiver(ChannelKind kind, ThreadKind threads, Workers workers)
      throws Exception {
    Channel<Integer> channel = kind.create();
    int count = kind.room(8);
    List<Worker<?>> receivers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      receivers.add(
          i % 2 == 0
              ? workers.call(threads, channel::receive)
              : workers.call(threads, () -> channel.tryReceive(LONG).orElseThrow()));
    }
    Workers.awaitAllBlocked(receivers);

    fill(channel, count);

    List<Object> received = new ArrayList<>();
    for (Worker<?> receiver : receivers) {
      received.add(receiver.join());
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(range(0, count));
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.BOUNDED)
  void timedTrySendSucceedsWhenRoomAppearsBeforeTheTimeout(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Boolean> sender = workers.call(threads, () -> channel.trySend(-1, LONG)).awaitBlocked();
    assertThat(channel.receive()).isEqualTo(0);

    assertThat(sender.join()).isTrue();
    List<Integer> expected = new ArrayList<>(items.subList(1, items.size()));
    expected.add(-1);
    assertThat(drainNow(channel)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void timedTryReceiveSucceedsWhenAnItemArrivesBeforeTheTimeout(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();

    Worker<Optional<Integer>> receiver =
        workers.call(threads, () -> channel.tryReceive(LONG)).awaitBlocked();
    channel.send(7);

    assertThat(receiver.join()).contains(7);
    assertThat(channel.size()).isZero();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void timedTrySendThatTimesOutOnAWorkerSendsNothing(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    Worker<Boolean> sender =
        workers.call(threads, () -> channel.trySend(-1, Duration.ofMillis(20)));

    assertThat(sender.join()).isFalse();
    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void singleProducerAndSingleConsumerSeeFifoOrder(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    int count = 5_000;
    CountDownLatch start = new CountDownLatch(1);

    Worker<List<Integer>> consumer =
        workers.call(
            threads,
            () -> {
              start.await();
              return receiveUntilClosed(channel);
            });
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              start.await();
              for (int i = 0; i < count; i++) {
                channel.send(i);
              }
              channel.close();
            });
    start.countDown();

    producer.join();
    assertThat(consumer.join()).isEqualTo(range(0, count));
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void eachProducersItemsArriveInTheOrderItSentThem(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    int producers = 4;
    int perProducer = 1_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Worker<Void>> senders = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      senders.add(
          workers.run(
              threads,
              () -> {
                start.await();
                for (int i = 0; i < perProducer; i++) {
                  channel.send(base + i);
                }
              }));
    }
    Worker<List<Integer>> consumer =
        workers.call(threads, () -> receiveUntilClosed(channel)).awaitBlocked();
    start.countDown();
    Workers.joinAll(senders);
    channel.close();

    List<Integer> received = consumer.join();
    assertThat(received).hasSize(producers * perProducer);
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      List<Integer> fromP =
          received.stream().filter(i -> i / perProducer == base / perProducer).toList();
      assertThat(fromP).as("items of producer %d", p).isEqualTo(range(base, base + perProducer));
    }
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void severalProducersAndConsumersDeliverEveryItemExactlyOnce(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    int producers = 3;
    int perProducer = 1_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Worker<Void>> senders = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      senders.add(
          workers.run(
              threads,
              () -> {
                start.await();
                for (int i = 0; i < perProducer; i++) {
                  channel.send(base + i);
                }
              }));
    }
    List<Worker<List<Integer>>> consumers = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      consumers.add(
          workers.call(
              threads,
              () -> {
                start.await();
                return receiveUntilClosed(channel);
              }));
    }
    start.countDown();
    Workers.joinAll(senders);
    channel.close();

    List<Integer> received = new ArrayList<>();
    for (List<Integer> part : Workers.joinAll(consumers)) {
      // Each consumer sees each producer's items in increasing order.
      for (int p = 0; p < producers; p++) {
        int producer = p;
        List<Integer> fromP = part.stream().filter(i -> i / perProducer == producer).toList();
        assertThat(fromP).isSorted();
      }
      received.addAll(part);
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(range(0, producers * perProducer));
    assertThat(channel.isClosedForReceive()).isTrue();
  }
}
