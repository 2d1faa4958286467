package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Small single-threaded helpers for channel tests. */
public final class Channels {
  private Channels() {}

  /** The integers {@code from} (inclusive) to {@code to} (exclusive). */
  public static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().collect(Collectors.toList());
  }

  /**
   * Sends 0, 1, ..., {@code count - 1} with {@code trySend}, asserting that each is accepted.
   *
   * @return the items sent
   */
  public static List<Integer> fill(Channel<Integer> channel, int count) {
    List<Integer> items = range(0, count);
    for (Integer item : items) {
      assertThat(channel.trySend(item)).as("trySend(%s) into a channel with room", item).isTrue();
    }
    return items;
  }

  /** Takes items with {@code tryReceive} until the channel is empty or closed for receive. */
  public static <T> List<T> drainNow(Channel<T> channel) {
    List<T> items = new ArrayList<>();
    while (true) {
      Optional<T> item;
      try {
        item = channel.tryReceive();
      } catch (ChannelClosedException e) {
        return items;
      }
      if (item.isEmpty()) {
        return items;
      }
      items.add(item.get());
    }
  }

  /** Receives until the channel throws {@link ChannelClosedException}, which is swallowed. */
  public static <T> List<T> receiveUntilClosed(Channel<T> channel) throws InterruptedException {
    List<T> items = new ArrayList<>();
    while (true) {
      try {
        items.add(channel.receive());
      } catch (ChannelClosedException e) {
        return items;
      }
    }
  }
}
