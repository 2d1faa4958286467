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
import dev.sluice.tg.Waiting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Channel#stream()}: every item in order, then the end or the close cause. */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelStreamTest {

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void streamYieldsAllItemsInOrderAndEndsAfterClose(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              for (int i = 0; i < 500; i++) {
                channel.send(i);
              }
              channel.close();
            });

    assertThat(channel.stream().toList()).isEqualTo(range(0, 500));
    producer.join();
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void streamOfAClosedChannelYieldsTheBufferedItemsThenEnds(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(3));
    channel.close();

    assertThat(channel.stream().toList()).isEqualTo(items);
    assertThat(channel.stream().toList()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void streamOfAChannelClosedWithACauseThrowsItAfterTheItemsWereConsumed(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(3));
    IOException cause = new IOException("producer failed");
    channel.close(cause);
    List<Integer> seen = new ArrayList<>();

    assertThatThrownBy(() -> channel.stream().forEach(seen::add))
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
    assertThat(seen).isEqualTo(items);
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void streamThrowsTheCloseCauseOnlyAfterTheConsumerSawEveryItem(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    IOException cause = new IOException("producer failed");
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              for (int i = 0; i < 100; i++) {
                channel.send(i);
              }
              channel.close(cause);
            });
    List<Integer> seen = new ArrayList<>();

    assertThatThrownBy(() -> channel.stream().forEach(seen::add))
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
    assertThat(seen).isEqualTo(range(0, 100));
    producer.join();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void streamOfACancelledChannelThrowsTheCause(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    fill(channel, kind.room(2));
    IOException cause = new IOException("stop");
    channel.cancel(cause);

    assertThatThrownBy(() -> channel.stream().toList())
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void streamReceivesOnlyWhatTheTerminalOperationNeeds(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(4));
    int wanted = Math.min(2, items.size());

    Stream<Integer> stream = channel.stream();
    assertThat(channel.size()).as("size after stream()").isEqualTo(items.size());

    assertThat(stream.limit(wanted).toList()).isEqualTo(items.subList(0, wanted));
    assertThat(drainNow(channel)).isEqualTo(items.subList(wanted, items.size()));
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void interruptWhileWaitingEndsTheStreamWithChannelClosedException(
      ChannelKind kind, ThreadKind threads, Workers workers) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    Worker<Boolean> consumer =
        workers.call(
            threads,
            () -> {
              try {
                channel.stream().forEach(seen::add);
              } catch (ChannelClosedException e) {
                assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
                return Thread.currentThread().isInterrupted();
              }
              throw new AssertionError("the stream ended without an exception");
            });
    consumer.awaitBlocked();
    channel.send(7); // taken by the waiting consumer, which then waits for the next item
    Waiting.until(() -> seen.size() == 1, "the consumer to take the item");
    consumer.awaitBlocked();

    consumer.interrupt();

    assertThat(consumer.join()).as("interrupt flag set again").isTrue();
    assertThat(seen).as("what the stream gave before the interrupt").containsExactly(7);
    assertThat(channel.isClosedForSend()).as("the channel itself stays open").isFalse();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void severalStreamsShareTheItemsEachInProducerOrder(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Worker<List<Integer>>> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      consumers.add(workers.call(threads, () -> channel.stream().toList()));
    }
    Worker<Void> producer =
        workers.run(
            threads,
            () -> {
              for (int i = 0; i < 1_000; i++) {
                channel.send(i);
              }
              channel.close();
            });

    producer.join();
    List<Integer> all = new ArrayList<>();
    for (List<Integer> part : Workers.joinAll(consumers)) {
      assertThat(part).isSorted();
      all.addAll(part);
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(range(0, 1_000));
  }
}
