package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Channel#asBlockingQueue()}: a few smoke checks while open, and the behaviour after close.
 * The full {@code BlockingQueue} contract while open is checked by the JSR-166 TCK elsewhere.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(20)
class ChannelQueueViewTest {

  // ---- smoke checks while open ----

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void viewSharesItsItemsWithTheChannel(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();

    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.poll()).isNull();
    assertThat(queue.offer(1)).isEqualTo(kind.buffers());
    if (kind.buffers()) {
      assertThat(queue.size()).isEqualTo(1);
      assertThat(channel.size()).isEqualTo(1);
      assertThat(channel.tryReceive()).contains(1);
      channel.send(2);
      assertThat(queue.poll()).isEqualTo(2);
    }
    assertThat(queue.isEmpty()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void remainingCapacityFollowsTheChannelsCapacity(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    fill(channel, kind.room(1));

    int expected = kind.isBounded() ? kind.capacity() - 1 : kind.buffers() ? Integer.MAX_VALUE : 0;
    assertThat(queue.remainingCapacity()).isEqualTo(expected);
  }

  // ---- after close ----

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void insertionsThrowAfterClose(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.room(2));
    channel.close();

    assertThatThrownBy(() -> queue.offer(-1)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> queue.add(-2)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> queue.put(-3)).isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> queue.offer(-4, 1, TimeUnit.MINUTES))
        .isInstanceOf(ChannelClosedException.class);
    assertThatThrownBy(() -> queue.offer(-5, 0, TimeUnit.SECONDS))
        .isInstanceOf(ChannelClosedException.class);

    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void pollReturnsTheRemainingItemsThenNull(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.room(3));
    channel.close(new IOException("producer failed"));

    List<Integer> polled = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      polled.add(i % 2 == 0 ? queue.poll() : queue.poll(1, TimeUnit.MINUTES));
    }

    assertThat(polled).isEqualTo(items);
    assertThat(queue.poll()).isNull();
    // Closed and drained: a timed poll returns null at once instead of waiting (@Timeout).
    assertThat(queue.poll(1, TimeUnit.MINUTES)).isNull();
    assertThat(queue.isEmpty()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void takeDrainsThenThrows(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.room(3));
    channel.close();

    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      taken.add(queue.take());
    }

    assertThat(taken).isEqualTo(items);
    assertThatThrownBy(queue::take).isInstanceOf(ChannelClosedException.class).hasNoCause();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void takeThrowsTheCloseCauseAfterDraining(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.room(1));
    IOException cause = new IOException("producer failed");
    channel.close(cause);

    for (Integer item : items) {
      assertThat(queue.take()).isEqualTo(item);
    }
    assertThatThrownBy(queue::take)
        .isInstanceOf(ChannelClosedException.class)
        .cause()
        .isSameAs(cause);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void drainToAfterCloseMovesTheRemainingItemsInOrder(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.room(5));
    channel.close();
    List<Integer> sink = new ArrayList<>();

    int first = Math.min(2, items.size());
    assertThat(queue.drainTo(sink, 2)).isEqualTo(first);
    assertThat(queue.drainTo(sink)).isEqualTo(items.size() - first);
    assertThat(queue.drainTo(sink)).isZero();
    assertThat(queue.drainTo(sink, 10)).isZero();

    assertThat(sink).isEqualTo(items);
    assertThat(channel.isClosedForReceive()).isTrue();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.ALL)
  void blockedTakeWakesAndThrowsWhenTheChannelCloses(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    Worker<Integer> taker = workers.call(threads, queue::take).awaitBlocked();
    Worker<Integer> poller =
        workers.call(threads, () -> queue.poll(1, TimeUnit.MINUTES)).awaitBlocked();

    channel.close();

    assertThat(taker.failure()).isInstanceOf(ChannelClosedException.class);
    assertThat(poller.join()).as("a timed poll of a closed, drained channel").isNull();
  }

  @ParameterizedTest
  @MethodSource(ChannelParams.SEND_CAN_BLOCK)
  void blockedPutWakesAndThrowsWhenTheChannelCloses(
      ChannelKind kind, ThreadKind threads, Workers workers) {
    Channel<Integer> channel = kind.create();
    BlockingQueue<Integer> queue = channel.asBlockingQueue();
    List<Integer> items = fill(channel, kind.capacity());
    Worker<Void> putter = workers.run(threads, () -> queue.put(-1)).awaitBlocked();
    Worker<Boolean> offerer =
        workers.call(threads, () -> queue.offer(-2, 1, TimeUnit.MINUTES)).awaitBlocked();

    channel.close();

    assertThat(putter.failure()).isInstanceOf(ChannelClosedException.class);
    assertThat(offerer.failure()).isInstanceOf(ChannelClosedException.class);
    assertThat(drainNow(channel)).isEqualTo(items);
  }
}
