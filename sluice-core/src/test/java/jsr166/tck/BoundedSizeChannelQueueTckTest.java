package jsr166.tck;

import dev.sluice.Channel;
import java.util.concurrent.BlockingQueue;
import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * The JSR-166 TCK's {@link BlockingQueueTest} and {@link CollectionTest} (with {@link
 * Collection8Test}) on the {@code asBlockingQueue()} view of a bounded channel of capacity {@code
 * SIZE} (32), the capacity the TCK gives the JDK's bounded queues. See {@link ChannelQueueTckTest}
 * for how the TCK is wired.
 */
@RunWith(AllTests.class)
public final class BoundedSizeChannelQueueTckTest {
  private BoundedSizeChannelQueueTckTest() {}

  /** The TCK's BlockingQueueTest, configured with {@code Channel.bounded(SIZE)}. */
  public static class Queue extends BlockingQueueTest {
    @Override
    protected BlockingQueue<?> emptyCollection() {
      return Channel.bounded(SIZE).asBlockingQueue();
    }
  }

  public static Test suite() {
    return ChannelQueueTckTest.flatSuite(
        new Queue().testSuite(),
        CollectionTest.testSuite(
            new ChannelQueueTckTest.Implementation(() -> Channel.bounded(JSR166TestCase.SIZE))));
  }
}
