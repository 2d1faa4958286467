package jsr166.tck;

import static jsr166.tck.ChannelQueueTckTest.CAPACITY;

import dev.sluice.Channel;
import java.util.concurrent.BlockingQueue;
import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * The JSR-166 TCK's {@link BlockingQueueTest} and {@link CollectionTest} (with {@link
 * Collection8Test}) on the {@code asBlockingQueue()} view of a bounded channel of capacity 20. See
 * {@link ChannelQueueTckTest} for how the TCK is wired.
 */
@RunWith(AllTests.class)
public final class BoundedChannelQueueTckTest {
  private BoundedChannelQueueTckTest() {}

  /** The TCK's BlockingQueueTest, configured with {@code Channel.bounded(20)}. */
  public static class Queue extends BlockingQueueTest {
    @Override
    protected BlockingQueue<?> emptyCollection() {
      return Channel.bounded(CAPACITY).asBlockingQueue();
    }
  }

  public static Test suite() {
    return ChannelQueueTckTest.flatSuite(
        new Queue().testSuite(),
        CollectionTest.testSuite(
            new ChannelQueueTckTest.Implementation(() -> Channel.bounded(CAPACITY))));
  }
}
