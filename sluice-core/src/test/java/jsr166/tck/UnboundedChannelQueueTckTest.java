package jsr166.tck;

import dev.sluice.Channel;
import java.util.concurrent.BlockingQueue;
import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * The JSR-166 TCK's {@link BlockingQueueTest} and {@link CollectionTest} (with {@link
 * Collection8Test}) on the {@code asBlockingQueue()} view of a unbounded channel. See {@link
 * ChannelQueueTckTest} for how the TCK is wired.
 */
@RunWith(AllTests.class)
public final class UnboundedChannelQueueTckTest {
  private UnboundedChannelQueueTckTest() {}

  /** The TCK's BlockingQueueTest, configured with {@code Channel.unbounded()}. */
  public static class Queue extends BlockingQueueTest {
    @Override
    protected BlockingQueue<?> emptyCollection() {
      return Channel.unbounded().asBlockingQueue();
    }
  }

  public static Test suite() {
    return ChannelQueueTckTest.flatSuite(
        new Queue().testSuite(),
        CollectionTest.testSuite(
            new ChannelQueueTckTest.Implementation(() -> Channel.unbounded())));
  }
}
