package dev.sluice;

import static dev.sluice.testing.Channels.fill;
import static dev.sluice.testing.Channels.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.ChannelKind;
import dev.sluice.testing.ThreadKind;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.testing.Worker;
import dev.sluice.testing.Workers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ten thousand virtual threads parked on one channel: parking must not pin carriers, every item
 * must be delivered exactly once, and close or cancel must wake them all.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(60)
class ManyVirtualThreadsTest {
  private static final int THREADS = 10_000;

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void tenThousandBlockedReceiversEachGetExactlyOneItem(ChannelKind kind, Workers workers)
      throws Exception {
    Channel<Integer> channel = kind.create();
    List<Worker<Integer>> receivers = new ArrayList<>(THREADS);
    for (int i = 0; i < THREADS; i++) {
      receivers.add(workers.call(ThreadKind.VIRTUAL, channel::receive));
    }
    Workers.awaitAllBlocked(receivers);

    for (int i = 0; i < THREADS; i++) {
      channel.send(i);
    }

    assertThat(Workers.joinAll(receivers)).containsExactlyInAnyOrderElementsOf(range(0, THREADS));
    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_16", "RENDEZVOUS"})
  void tenThousandBlockedSendersEachDeliverExactlyOnce(ChannelKind kind, Workers workers)
      throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> buffered = fill(channel, kind.capacity());
    List<Worker<Void>> senders = new ArrayList<>(THREADS);
    for (int i = 0; i < THREADS; i++) {
      int item = buffered.size() + i;
      senders.add(workers.run(ThreadKind.VIRTUAL, () -> channel.send(item)));
    }
    Workers.awaitAllBlocked(senders);

    List<Integer> received = new ArrayList<>();
    for (int i = 0; i < buffered.size() + THREADS; i++) {
      received.add(channel.receive());
    }

    Workers.joinAll(senders);
    assertThat(received.subList(0, buffered.size())).isEqualTo(buffered);
    assertThat(received).containsExactlyInAnyOrderElementsOf(range(0, buffered.size() + THREADS));
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_16", "RENDEZVOUS", "UNBOUNDED"})
  void tenThousandBlockedReceiversAllWakeWhenTheChannelCloses(ChannelKind kind, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Worker<Integer>> receivers = new ArrayList<>(THREADS);
    for (int i = 0; i < THREADS; i++) {
      receivers.add(workers.call(ThreadKind.VIRTUAL, channel::receive));
    }
    Workers.awaitAllBlocked(receivers);
    IOException cause = new IOException("done");

    channel.close(cause);

    for (Worker<Integer> receiver : receivers) {
      assertThat(receiver.failure()).isInstanceOf(ChannelClosedException.class).hasCause(cause);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "RENDEZVOUS"})
  void tenThousandBlockedSendersAllWakeWhenTheChannelIsCancelled(
      ChannelKind kind, Workers workers) {
    Channel<Integer> channel = kind.create();
    List<Integer> buffered = fill(channel, kind.capacity());
    List<Worker<Void>> senders = new ArrayList<>(THREADS);
    for (int i = 0; i < THREADS; i++) {
      int item = buffered.size() + i;
      senders.add(workers.run(ThreadKind.VIRTUAL, () -> channel.send(item)));
    }
    Workers.awaitAllBlocked(senders);
    IOException cause = new IOException("stop");

    assertThat(channel.cancel(cause)).isEqualTo(buffered);

    for (Worker<Void> sender : senders) {
      assertThat(sender.failure()).isInstanceOf(ChannelClosedException.class).hasCause(cause);
    }
  }
}
