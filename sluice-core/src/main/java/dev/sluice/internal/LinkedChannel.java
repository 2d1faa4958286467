package dev.sluice.internal;

/** Stub, replaced by the real implementation. */
public final class LinkedChannel<T> extends AbstractChannel<T> {
  public LinkedChannel() {}

  public LinkedChannel(int capacity) {}
}
