package dev.sluice.tg;

import java.util.concurrent.atomic.AtomicInteger;

/** Unique group names, so that thread-name checks never see another test's threads. */
public final class Names {
  private static final AtomicInteger NEXT = new AtomicInteger();

  private Names() {}

  /** {@code prefix} followed by a number no other call returned. */
  public static String unique(String prefix) {
    return prefix + "_" + NEXT.incrementAndGet();
  }
}
