package jsr166.tck;

import dev.sluice.Channel;
import java.util.concurrent.BlockingQueue;
import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * The JSR-166 TCK's {@link BlockingQueueTest} on the {@code asBlockingQueue()} view of a rendezvous
 * channel, as the JDK's SynchronousQueueTest runs it on {@code SynchronousQueue}. The TCK's
 * CollectionTest is not run: like the JDK's, it adds elements and expects to find them in the
 * collection, which a queue with no capacity never holds (the JDK does not run it on
 * SynchronousQueue either). See {@link ChannelQueueTckTest}.
 */
@RunWith(AllTests.class)
public final class RendezvousChannelQueueTckTest {
  private RendezvousChannelQueueTckTest() {}

  /** The TCK's BlockingQueueTest, configured with {@code Channel.rendezvous()}. */
  public static class Queue extends BlockingQueueTest {
    @Override
    protected BlockingQueue<?> emptyCollection() {
      return Channel.rendezvous().asBlockingQueue();
    }
  }

  public static Test suite() {
    return ChannelQueueTckTest.flatSuite(new Queue().testSuite());
  }
}
