package dev.sluice;

import static dev.sluice.testing.Channels.drainNow;
import static dev.sluice.testing.Channels.fill;
import static dev.sluice.testing.Channels.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ChannelKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Single-threaded behaviour of every channel kind: factories, argument checks, non-blocking and
 * timed calls that need no other thread, and {@link ChannelClosedException} itself. Blocking
 * hand-offs between threads are in {@link ChannelBlockingTest}.
 */
@Timeout(10)
class ChannelTest {
  private static final Duration SHORT = Duration.ofMillis(50);

  // ---- factories ----

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 16, 1000})
  void boundedChannelReportsTheCapacityItWasCreatedWith(int capacity) {
    assertThat(Channel.bounded(capacity).capacity()).isEqualTo(capacity);
  }

  @Test
  void rendezvousChannelReportsCapacityZero() {
    assertThat(Channel.rendezvous().capacity()).isZero();
  }

  @Test
  void unboundedChannelReportsCapacityMaxValue() {
    assertThat(Channel.unbounded().capacity()).isEqualTo(Integer.MAX_VALUE);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -3, Integer.MIN_VALUE})
  void boundedRejectsACapacityBelowOneNamingTheValue(int capacity) {
    assertThatThrownBy(() -> Channel.bounded(capacity))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1: " + capacity);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void newChannelIsOpenAndEmpty(ChannelKind kind) {
    Channel<String> channel = kind.create();

    assertThat(channel.capacity()).isEqualTo(kind.capacity());
    assertThat(channel.isClosedForSend()).isFalse();
    assertThat(channel.isClosedForReceive()).isFalse();
    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void eachFactoryCallReturnsAnIndependentChannel(ChannelKind kind) {
    Channel<Integer> first = kind.create();
    Channel<Integer> second = kind.create();
    fill(first, kind.room(3));

    first.close();

    assertThat(second.isClosedForSend()).isFalse();
    assertThat(second.size()).isZero();
    assertThat(second.tryReceive()).isEmpty();
  }

  // ---- null arguments ----

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void sendRejectsANullItemNamingIt(ChannelKind kind) {
    Channel<String> channel = kind.create();

    assertThatThrownBy(() -> channel.send(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");
    assertThatThrownBy(() -> channel.trySend(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");
    assertThatThrownBy(() -> channel.trySend(null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");
    assertThatThrownBy(() -> channel.trySend(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");

    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).isEmpty();
    assertThat(channel.isClosedForSend()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void timedCallsRejectANullTimeoutNamingIt(ChannelKind kind) {
    Channel<String> channel = kind.create();

    assertThatThrownBy(() -> channel.trySend("a", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> channel.tryReceive(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("timeout");

    assertThat(channel.size()).isZero();
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void closeAndCancelRejectANullCauseAndLeaveTheChannelOpen(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(2));

    assertThatThrownBy(() -> channel.close(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cause");
    assertThatThrownBy(() -> channel.cancel(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cause");

    assertThat(channel.isClosedForSend()).isFalse();
    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
    assertThat(channel.close()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void senderRejectsANullItemNamingIt(ChannelKind kind) {
    Channel<String> channel = kind.create();
    Sender<String> sender = channel.openSender();

    assertThatThrownBy(() -> sender.send(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");
    assertThatThrownBy(() -> sender.trySend(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("item");

    assertThat(channel.size()).isZero();
    assertThat(channel.isClosedForSend()).isFalse();
  }

  // ---- non-blocking send and receive ----

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7})
  void boundedChannelWithACapacityThatIsNotAPowerOfTwoWrapsAround(int capacity) {
    Channel<Integer> channel = Channel.bounded(capacity);

    for (int lap = 0; lap < 4; lap++) {
      List<Integer> items = range(lap * capacity, (lap + 1) * capacity);
      for (Integer item : items) {
        assertThat(channel.trySend(item)).isTrue();
      }
      assertThat(channel.trySend(-1)).isFalse();
      assertThat(channel.size()).isEqualTo(capacity);
      assertThat(channel.tryReceive()).contains(items.get(0));
      assertThat(channel.trySend(-2)).isTrue();
      List<Integer> expected = new java.util.ArrayList<>(items.subList(1, capacity));
      expected.add(-2);
      assertThat(drainNow(channel)).isEqualTo(expected);
    }
  }

  /** The smallest ring: "free for the next lap" and "filled" must not look alike. */
  @Test
  void boundedChannelOfCapacityOneHoldsExactlyOneItem() {
    Channel<Integer> channel = Channel.bounded(1);

    assertThat(channel.trySend(0)).isTrue();
    assertThat(channel.trySend(1)).as("trySend into a full bounded(1)").isFalse();
    assertThat(channel.size()).isEqualTo(1);
    assertThat(channel.tryReceive()).contains(0);
    assertThat(channel.trySend(2)).isTrue();
    assertThat(channel.tryReceive()).contains(2);
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16"})
  void trySendFillsABoundedChannelThenReturnsFalse(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    assertThat(channel.trySend(-1)).isFalse();

    assertThat(channel.size()).isEqualTo(kind.capacity());
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void tryReceiveReturnsTheItemsInTheOrderTheyWereSent(ChannelKind kind) {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.room(16));

    assertThat(drainNow(channel)).isEqualTo(items);
    assertThat(channel.tryReceive()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void sizeCountsTheBufferedItemsThroughSendsAndReceives(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    int room = kind.room(16);

    for (int i = 0; i < room; i++) {
      channel.send(i);
      assertThat(channel.size()).isEqualTo(i + 1);
    }
    for (int i = 0; i < room; i++) {
      assertThat(channel.receive()).isEqualTo(i);
      assertThat(channel.size()).isEqualTo(room - i - 1);
    }
    // Interleaved: the ring of a bounded channel wraps around several times.
    for (int i = 0; i < 3 * room; i++) {
      assertThat(channel.trySend(i)).isTrue();
      assertThat(channel.tryReceive()).contains(i);
      assertThat(channel.size()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void tryReceiveOnAnEmptyOpenChannelIsEmpty(ChannelKind kind) {
    Channel<String> channel = kind.create();

    assertThat(channel.tryReceive()).isEmpty();
    assertThat(channel.tryReceive()).isEmpty();
    assertThat(channel.isClosedForReceive()).isFalse();
  }

  @Test
  void unboundedChannelAcceptsManyItemsWithoutWaiting() throws Exception {
    Channel<Integer> channel = Channel.unbounded();
    int count = 100_000;

    for (int i = 0; i < count; i++) {
      channel.send(i);
    }
    assertThat(channel.trySend(count)).isTrue();
    assertThat(channel.trySend(count + 1, Duration.ZERO)).isTrue();

    assertThat(channel.size()).isEqualTo(count + 2);
    assertThat(drainNow(channel)).isEqualTo(range(0, count + 2));
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void theSameItemMayBeSentSeveralTimes(ChannelKind kind) {
    Channel<String> channel = kind.create();
    int room = kind.room(3);
    for (int i = 0; i < room; i++) {
      assertThat(channel.trySend("same")).isTrue();
    }

    assertThat(drainNow(channel)).hasSize(room).containsOnly("same");
  }

  // ---- timed calls that need no other thread ----

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "UNBOUNDED"})
  void timedTrySendWithRoomSucceedsForAnyTimeout(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Duration> timeouts = List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(30));

    for (int i = 0; i < timeouts.size(); i++) {
      assertThat(channel.trySend(i, timeouts.get(i))).as("timeout %s", timeouts.get(i)).isTrue();
      assertThat(channel.tryReceive()).contains(i);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "RENDEZVOUS"})
  void timedTrySendWithAZeroOrNegativeTimeoutDoesNotWait(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    // A wait would run into the @Timeout.
    assertThat(channel.trySend(-1, Duration.ZERO)).isFalse();
    assertThat(channel.trySend(-2, Duration.ofNanos(-1))).isFalse();
    assertThat(channel.trySend(-3, Duration.ofHours(-5))).isFalse();

    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void timedTryReceiveWithAZeroOrNegativeTimeoutDoesNotWait(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();

    assertThat(channel.tryReceive(Duration.ZERO)).isEmpty();
    assertThat(channel.tryReceive(Duration.ofNanos(-1))).isEmpty();
    assertThat(channel.tryReceive(Duration.ofHours(-5))).isEmpty();

    if (kind.buffers()) {
      fill(channel, 1);
      assertThat(channel.tryReceive(Duration.ZERO)).contains(0);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ChannelKind.class,
      names = {"BOUNDED_1", "BOUNDED_2", "BOUNDED_16", "RENDEZVOUS"})
  void timedTrySendReturnsFalseAfterTheTimeoutAndSendsNothing(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    List<Integer> items = fill(channel, kind.capacity());

    long start = System.nanoTime();
    boolean sent = channel.trySend(-1, SHORT);
    long elapsed = System.nanoTime() - start;

    assertThat(sent).isFalse();
    assertThat(elapsed).as("nanoseconds waited").isGreaterThanOrEqualTo(SHORT.toNanos());
    assertThat(channel.size()).isEqualTo(items.size());
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void timedTryReceiveReturnsEmptyAfterTheTimeout(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();

    long start = System.nanoTime();
    Optional<Integer> item = channel.tryReceive(SHORT);
    long elapsed = System.nanoTime() - start;

    assertThat(item).isEmpty();
    assertThat(elapsed).as("nanoseconds waited").isGreaterThanOrEqualTo(SHORT.toNanos());
    assertThat(channel.isClosedForReceive()).isFalse();
  }

  /**
   * {@code Duration.toNanos()} overflows beyond about 292 years; a timeout that long must still
   * mean "wait" (or, negative, "do not wait"), not {@link ArithmeticException}.
   */
  @ParameterizedTest
  @EnumSource(ChannelKind.class)
  void timedCallsAcceptDurationsBeyondTheNanosecondRange(ChannelKind kind) throws Exception {
    Channel<Integer> channel = kind.create();
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    Duration never = Duration.ofSeconds(Long.MIN_VALUE);

    if (kind.buffers()) {
      assertThat(channel.trySend(1, forever)).isTrue();
      assertThat(channel.tryReceive(forever)).contains(1);
    }
    assertThat(channel.tryReceive(never)).isEmpty();
    List<Integer> items = fill(channel, kind.sendCanBlock() ? kind.capacity() : 1);
    if (kind.sendCanBlock()) {
      assertThat(channel.trySend(2, never)).isFalse();
    }
    assertThat(drainNow(channel)).isEqualTo(items);
  }

  // ---- ChannelClosedException ----

  @Test
  void channelClosedExceptionWithoutCauseSaysTheChannelIsClosed() {
    ChannelClosedException e = new ChannelClosedException();

    assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("channel is closed");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void channelClosedExceptionCarriesItsMessageAndCause() {
    Throwable cause = new java.io.IOException("disk gone");

    ChannelClosedException e = new ChannelClosedException("send on a closed channel", cause);

    assertThat(e).hasMessage("send on a closed channel");
    assertThat(e.getCause()).isSameAs(cause);
  }

  @Test
  void channelClosedExceptionAcceptsANullCause() {
    ChannelClosedException e = new ChannelClosedException("receive on a closed channel", null);

    assertThat(e).hasMessage("receive on a closed channel");
    assertThat(e.getCause()).isNull();
  }
}
