package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * A thread factory that remembers every thread it made, so that a test can check that all of them
 * have ended: virtual threads are invisible to {@link Thread#getAllStackTraces()}.
 */
public final class TrackingThreads implements ThreadFactory {

  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final boolean virtual;

  private TrackingThreads(boolean virtual) {
    this.virtual = virtual;
  }

  /** Virtual threads. */
  public static TrackingThreads virtual() {
    return new TrackingThreads(true);
  }

  /** Platform threads. */
  public static TrackingThreads platform() {
    return new TrackingThreads(false);
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread =
        virtual
            ? Thread.ofVirtual().name("tracked-v").unstarted(task)
            : Thread.ofPlatform().name("tracked-p").daemon().unstarted(task);
    threads.add(thread);
    return thread;
  }

  /** How many threads were made. */
  public int made() {
    return threads.size();
  }

  /** Asserts that every thread made has ended (the pipeline must have joined them). */
  public void assertAllEnded() {
    for (Thread thread : threads) {
      assertThat(thread.isAlive())
          .as("thread %s (state %s) is still alive", thread, thread.getState())
          .isFalse();
    }
  }
}
