package dev.sluice.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sluice.Channel;
import java.util.function.Supplier;

/**
 * The channel kinds every channel test runs against.
 *
 * <p>Guard against one known implementation bug that would otherwise hang the suite: if {@code
 * bounded(1)} accepts a second item (its ring mistakes "filled" for "free"; a receive then spins
 * forever), {@link #create()} aborts every {@link #BOUNDED_1} test, reported as skipped, and the
 * bug is reported by the failing {@code ChannelTest.boundedChannelOfCapacityOneHoldsExactlyOneItem}
 * instead. Once the bug is fixed the probe passes and the tests run again; then this guard can go.
 */
public enum ChannelKind {
  BOUNDED_1("bounded(1)", 1, () -> Channel.bounded(1)),
  BOUNDED_2("bounded(2)", 2, () -> Channel.bounded(2)),
  BOUNDED_16("bounded(16)", 16, () -> Channel.bounded(16)),
  RENDEZVOUS("rendezvous()", 0, Channel::rendezvous),
  UNBOUNDED("unbounded()", Integer.MAX_VALUE, Channel::unbounded);

  /** Whether {@code bounded(1)} holds at most one item (checked once, without receiving). */
  private static final boolean BOUNDED_1_HOLDS_ONE_ITEM = probeBoundedOne();

  private final String label;
  private final int capacity;
  private final Supplier<Channel<?>> factory;

  ChannelKind(String label, int capacity, Supplier<Channel<?>> factory) {
    this.label = label;
    this.capacity = capacity;
    this.factory = factory;
  }

  /** A new open channel of this kind. */
  @SuppressWarnings("unchecked")
  public <T> Channel<T> create() {
    assumeFalse(
        this == BOUNDED_1 && !BOUNDED_1_HOLDS_ONE_ITEM,
        "bounded(1) accepts a second item and would hang this test; see"
            + " ChannelTest.boundedChannelOfCapacityOneHoldsExactlyOneItem");
    return (Channel<T>) factory.get();
  }

  /** The capacity the channel must report. */
  public int capacity() {
    return capacity;
  }

  /** Whether the channel has a finite, non-zero buffer (so it can be filled). */
  public boolean isBounded() {
    return capacity > 0 && capacity < Integer.MAX_VALUE;
  }

  /** Whether the channel buffers items at all (everything but rendezvous). */
  public boolean buffers() {
    return capacity > 0;
  }

  /** Whether a send on an otherwise idle channel can block (bounded when full, rendezvous). */
  public boolean sendCanBlock() {
    return capacity < Integer.MAX_VALUE;
  }

  /**
   * How many items a test may send without a receiver and without blocking: the capacity, or {@code
   * wanted} for an unbounded channel.
   */
  public int room(int wanted) {
    return Math.min(capacity, wanted);
  }

  private static boolean probeBoundedOne() {
    Channel<Integer> channel = Channel.bounded(1);
    return channel.trySend(0) && !channel.trySend(1);
  }

  @Override
  public String toString() {
    return label;
  }
}
