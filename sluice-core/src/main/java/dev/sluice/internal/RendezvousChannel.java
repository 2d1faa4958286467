package dev.sluice.internal;

/** Stub, replaced by the real implementation. */
public final class RendezvousChannel<T> extends AbstractChannel<T> {
  public RendezvousChannel() {}

  public RendezvousChannel(int capacity) {}
}
