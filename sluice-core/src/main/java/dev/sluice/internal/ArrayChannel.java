package dev.sluice.internal;

/** Stub, replaced by the real implementation. */
public final class ArrayChannel<T> extends AbstractChannel<T> {
  public ArrayChannel() {}

  public ArrayChannel(int capacity) {}
}
