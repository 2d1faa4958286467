package dev.sluice.testing;

import dev.sluice.Channel;
import java.util.function.Supplier;

/** The channel kinds every channel test runs against. */
public enum ChannelKind {
  BOUNDED_1("bounded(1)", 1, () -> Channel.bounded(1)),
  BOUNDED_2("bounded(2)", 2, () -> Channel.bounded(2)),
  BOUNDED_16("bounded(16)", 16, () -> Channel.bounded(16)),
  RENDEZVOUS("rendezvous()", 0, Channel::rendezvous),
  UNBOUNDED("unbounded()", Integer.MAX_VALUE, Channel::unbounded);

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

  @Override
  public String toString() {
    return label;
  }
}
