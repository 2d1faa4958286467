package jsr166.tck;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.sluice.Channel;
import dev.sluice.ChannelClosedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import junit.framework.Test;
import junit.framework.TestSuite;

/**
 * The JSR-166 TCK applied to {@link Channel#asBlockingQueue()}, wired the way the JDK wires its own
 * queues into the TCK (its {@code LinkedBlockingQueueTest.suite()}, {@code
 * ArrayBlockingQueueTest.suite()} and {@code SynchronousQueueTest.suite()}).
 *
 * <p>The TCK's shared contract tests run once per kind of channel, each kind in its own class so
 * that test reports (and Surefire's counts) name the kind a test ran on:
 *
 * <ul>
 *   <li>{@link BoundedChannelQueueTckTest}: {@code Channel.bounded(20)}, {@link BlockingQueueTest}
 *       and {@link CollectionTest} (which includes {@link Collection8Test}).
 *   <li>{@link BoundedSizeChannelQueueTckTest}: the same on {@code Channel.bounded(SIZE)}, the
 *       capacity the TCK gives the JDK's bounded queues.
 *   <li>{@link UnboundedChannelQueueTckTest}: the same on {@code Channel.unbounded()}.
 *   <li>{@link RendezvousChannelQueueTckTest}: {@link BlockingQueueTest} only on {@code
 *       Channel.rendezvous()}, as the JDK runs only that part against {@code SynchronousQueue},
 *       whose collection view is always empty.
 * </ul>
 *
 * <p>The test methods of this class cover what the TCK leaves to each queue's own test class:
 * capacity, blocking while full, FIFO order, the view sharing its state with the channel, the
 * rendezvous hand-off, and what happens after {@code close}.
 *
 * <p>JUnit 3 style on purpose, like the TCK it extends; the vintage engine runs it.
 */
public class ChannelQueueTckTest extends JSR166TestCase {

  /** Capacity of the "bounded" kind: smaller than {@code SIZE}, so the TCK's tests fill it. */
  static final int CAPACITY = 20;

  public ChannelQueueTckTest() {
    super();
  }

  public ChannelQueueTckTest(String name) {
    super(name);
  }

  /**
   * This class's own tests. Needed: JUnit 3 runners would otherwise find the (empty) {@code
   * suite()} that this class inherits from JSR166TestCase and run nothing.
   */
  public static Test suite() {
    return new TestSuite(ChannelQueueTckTest.class);
  }

  /** Describes a kind of channel to the TCK's CollectionTest and Collection8Test. */
  static final class Implementation implements CollectionImplementation {
    private final Supplier<Channel<Object>> channels;

    Implementation(Supplier<Channel<Object>> channels) {
      this.channels = channels;
    }

    @Override
    public Class<?> klazz() {
      return channels.get().asBlockingQueue().getClass();
    }

    @Override
    public Collection<Object> emptyCollection() {
      return channels.get().asBlockingQueue();
    }

    @Override
    public Object makeElement(int i) {
      return JSR166TestCase.itemFor(i);
    }

    @Override
    public boolean isConcurrent() {
      return true;
    }

    @Override
    public boolean permitsNulls() {
      return false;
    }
  }

  /**
   * One flat suite of the given suites' tests. Nested suites whose names are class names, or
   * several suites holding equally named tests under one runner, make the vintage engine and
   * Surefire merge or double-count results; a flat suite per kind class reports each test once,
   * under that class.
   */
  static Test flatSuite(Test... suites) {
    TestSuite flat = new TestSuite();
    for (Test suite : suites) {
      addAll(flat, suite);
    }
    return flat;
  }

  private static void addAll(TestSuite flat, Test test) {
    if (test instanceof TestSuite suite) {
      for (Test each : Collections.list(suite.tests())) {
        addAll(flat, each);
      }
    } else {
      flat.addTest(test);
    }
  }

  private static BlockingQueue<Item> boundedQueue(int capacity) {
    return Channel.<Item>bounded(capacity).asBlockingQueue();
  }

  /** Returns a bounded view of capacity n holding items 0 ... n - 1. */
  private static BlockingQueue<Item> fullQueue(int n) {
    BlockingQueue<Item> q = boundedQueue(n);
    for (int i = 0; i < n; i++) {
      assertTrue(q.offer(itemFor(i)));
    }
    assertEquals(n, q.size());
    assertEquals(0, q.remainingCapacity());
    return q;
  }

  /** remainingCapacity is capacity - size, MAX_VALUE when unbounded, 0 for rendezvous. */
  public void testRemainingCapacityFollowsCapacityOfEachKind() {
    BlockingQueue<Item> q = boundedQueue(SIZE);
    for (int i = 0; i < SIZE; i++) {
      assertEquals(SIZE - i, q.remainingCapacity());
      assertEquals(SIZE, q.size() + q.remainingCapacity());
      assertTrue(q.add(itemFor(i)));
    }
    for (int i = 0; i < SIZE; i++) {
      assertEquals(i, q.remainingCapacity());
      mustEqual(i, q.remove());
    }
    assertEquals(Integer.MAX_VALUE, Channel.unbounded().asBlockingQueue().remainingCapacity());
    assertEquals(0, Channel.rendezvous().asBlockingQueue().remainingCapacity());
  }

  /** When full, offer returns false, add and addAll throw IllegalStateException. */
  public void testInsertionIntoAFullViewFailsAsBlockingQueueSpecifies() {
    BlockingQueue<Item> q = fullQueue(2);
    assertFalse(q.offer(three));
    try {
      q.add(three);
      shouldThrow();
    } catch (IllegalStateException success) {
    }
    BlockingQueue<Item> r = boundedQueue(SIZE - 1);
    try {
      r.addAll(Arrays.asList(seqItems(SIZE)));
      shouldThrow();
    } catch (IllegalStateException success) {
    }
    assertEquals(SIZE - 1, r.size());
  }

  /** The view and the channel are one queue: what one side inserts the other removes, in order. */
  public void testViewAndChannelShareOneFifoQueue() throws InterruptedException {
    Channel<Item> channel = Channel.bounded(SIZE);
    BlockingQueue<Item> q = channel.asBlockingQueue();
    for (int i = 0; i < SIZE / 2; i++) {
      channel.send(itemFor(i));
    }
    for (int i = SIZE / 2; i < SIZE; i++) {
      q.put(itemFor(i));
    }
    assertEquals(SIZE, channel.size());
    assertEquals(SIZE, q.size());
    mustEqual(0, q.peek());
    Item[] expected = seqItems(SIZE);
    assertTrue(Arrays.equals(expected, q.toArray()));
    assertTrue(Arrays.equals(expected, q.toArray(new Item[0])));
    assertEquals(Arrays.toString(expected), q.toString());
    for (int i = 0; i < SIZE; i += 2) {
      mustEqual(i, q.take());
      mustEqual(i + 1, channel.receive());
    }
    checkEmpty(q);
  }

  /**
   * put blocks interruptibly while the view is full and nothing was added by the interrupted put.
   */
  public void testPutBlocksInterruptiblyWhenFull() {
    final BlockingQueue<Item> q = fullQueue(SIZE);
    final CountDownLatch pleaseInterrupt = new CountDownLatch(1);
    Thread t =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                Thread.currentThread().interrupt();
                try {
                  q.put(ninetynine);
                  shouldThrow();
                } catch (InterruptedException success) {
                }
                assertFalse(Thread.interrupted());

                pleaseInterrupt.countDown();
                try {
                  q.put(ninetynine);
                  shouldThrow();
                } catch (InterruptedException success) {
                }
                assertFalse(Thread.interrupted());
              }
            });
    await(pleaseInterrupt);
    assertThreadBlocks(t, Thread.State.WAITING);
    t.interrupt();
    awaitTermination(t);
    assertEquals(SIZE, q.size());
    assertFalse(q.contains(ninetynine));
  }

  /** A put blocked on a full view completes when a take makes room. */
  public void testPutWaitsForTakeWhenFull() throws InterruptedException {
    final BlockingQueue<Item> q = fullQueue(2);
    Thread t =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                q.put(eightysix);
              }
            });
    assertThreadBlocks(t, Thread.State.WAITING);
    mustEqual(0, q.take());
    awaitTermination(t);
    mustEqual(1, q.take());
    assertSame(eightysix, q.take());
  }

  /** A timed offer on a full view times out, then throws when interrupted. */
  public void testTimedOfferTimesOutWhenFull() {
    final BlockingQueue<Item> q = fullQueue(2);
    final CountDownLatch pleaseInterrupt = new CountDownLatch(1);
    Thread t =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                long startTime = System.nanoTime();
                assertFalse(q.offer(three, timeoutMillis(), MILLISECONDS));
                assertTrue(millisElapsedSince(startTime) >= timeoutMillis());

                pleaseInterrupt.countDown();
                try {
                  q.offer(three, 2 * LONG_DELAY_MS, MILLISECONDS);
                  shouldThrow();
                } catch (InterruptedException success) {
                }
                assertFalse(Thread.interrupted());
              }
            });
    await(pleaseInterrupt);
    assertThreadBlocks(t, Thread.State.TIMED_WAITING);
    t.interrupt();
    awaitTermination(t);
    assertEquals(2, q.size());
  }

  /** drainTo moves all items, or at most max items, in FIFO order. */
  public void testDrainToMovesItemsInOrder() {
    BlockingQueue<Item> q = fullQueue(SIZE);
    List<Item> sink = new ArrayList<>();
    assertEquals(2, q.drainTo(sink, 2));
    assertEquals(Arrays.asList(zero, one), sink);
    assertEquals(SIZE - 2, q.drainTo(sink));
    assertEquals(Arrays.asList(seqItems(SIZE)), sink);
    checkEmpty(q);
  }

  /** A rendezvous view hands an item from put to take and holds nothing in between. */
  public void testRendezvousViewHandsItemsOver() throws InterruptedException {
    final BlockingQueue<Item> q = Channel.<Item>rendezvous().asBlockingQueue();
    assertFalse(q.offer(one));
    assertNull(q.poll());
    checkEmpty(q);
    Thread t =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                q.put(one);
                assertTrue(q.offer(two, LONG_DELAY_MS, MILLISECONDS));
              }
            });
    assertSame(one, q.take());
    assertSame(two, q.poll(LONG_DELAY_MS, MILLISECONDS));
    awaitTermination(t);
    checkEmpty(q);
  }

  /** After close, insertions throw ChannelClosedException; poll drains, then returns null. */
  public void testClosedViewRejectsInsertionsAndPollDrains() throws InterruptedException {
    Channel<Item> channel = Channel.bounded(SIZE);
    BlockingQueue<Item> q = channel.asBlockingQueue();
    assertTrue(q.add(one));
    assertTrue(q.add(two));
    assertTrue(channel.close());
    assertThrows(
        ChannelClosedException.class,
        () -> q.add(three),
        () -> q.offer(three),
        () -> q.offer(three, LONG_DELAY_MS, MILLISECONDS),
        () -> q.put(three));
    assertEquals(2, q.size());
    assertSame(one, q.poll());
    assertSame(two, q.poll(LONG_DELAY_MS, MILLISECONDS));
    assertNull(q.poll());
    assertNull(q.poll(LONG_DELAY_MS, MILLISECONDS));
    assertTrue(q.isEmpty());
  }

  /** After close, take returns the remaining items, then throws with the close cause. */
  public void testClosedViewTakeDrainsThenThrowsWithTheCause() throws InterruptedException {
    Channel<Item> channel = Channel.unbounded();
    BlockingQueue<Item> q = channel.asBlockingQueue();
    q.put(one);
    IllegalStateException cause = new IllegalStateException("producer failed");
    assertTrue(channel.close(cause));
    assertSame(one, q.take());
    try {
      q.take();
      shouldThrow();
    } catch (ChannelClosedException success) {
      assertSame(cause, success.getCause());
    }
  }

  /**
   * A channel of capacity 1 holds exactly one item. (The JDK's TCK never uses capacity 1, but
   * {@code Channel.bounded(1)} is the smallest legal channel and a ring of one slot is a corner
   * case of its own.)
   */
  public void testBoundedOfCapacityOneHoldsExactlyOneItem() {
    BlockingQueue<Item> q = boundedQueue(1);
    assertEquals(1, q.remainingCapacity());
    assertTrue(q.offer(one));
    assertEquals(0, q.remainingCapacity());
    assertFalse("offer into a full bounded(1) must fail", q.offer(two));
    assertEquals(1, q.size());
    assertSame(one, q.poll());
    assertTrue(q.offer(three));
    assertFalse("offer into a full bounded(1) must fail", q.offer(four));
    assertSame(three, q.poll());
    checkEmpty(q);
  }

  /**
   * An item removed by {@code remove(Object)} while another item is ahead of it gives its room back
   * once the items ahead are taken: the view must never hold less than {@code capacity - size()}
   * room when no operation is in progress.
   */
  public void testRemovingAnItemBehindTheHeadGivesItsRoomBack() {
    BlockingQueue<Item> q = boundedQueue(2);
    for (int round = 0; round < 3; round++) {
      assertTrue(q.add(one));
      assertTrue(q.add(two));
      assertTrue(q.remove(two)); // one is still ahead of it
      assertSame(one, q.poll());
      assertEquals(0, q.size());
      assertEquals("room after round " + round, 2, q.remainingCapacity());
    }
    checkEmpty(q);
  }

  /** How {@link #hammerAddAndRemove} takes an item out again. */
  private enum Removal {
    REMOVE,
    REMOVE_IF,
    ITERATOR
  }

  /**
   * Two threads each add their own item and take it out again, as the TCK's
   * Collection8Test.testDetectRaces does (there for 12 ms, or 10 s with {@code
   * jsr166.expensiveTests}); here for up to {@code millis}. Each item is in the view from its add
   * to its removal, so contains, removeIf and the (weakly consistent) iterator must see it, the
   * removal must take it out, and at most two slots are ever in use, so every add must succeed.
   */
  private void hammerAddAndRemove(Channel<Item> channel, Removal removal, long millis) {
    final BlockingQueue<Item> q = channel.asBlockingQueue();
    final int remainingCapacity = q.remainingCapacity();
    final CountDownLatch start = new CountDownLatch(1);
    final CountDownLatch finished = new CountDownLatch(2);
    final long deadline = System.nanoTime() + MILLISECONDS.toNanos(millis);
    List<Thread> threads = new ArrayList<>();
    for (final Item item : new Item[] {one, two}) {
      threads.add(
          newStartedThread(
              new CheckedRunnable() {
                @Override
                public void realRun() {
                  await(start);
                  for (long round = 0; System.nanoTime() - deadline < 0; round++) {
                    String when = removal + ", round " + round + ", " + item;
                    assertTrue(when, q.add(item));
                    assertTrue(when, q.contains(item));
                    switch (removal) {
                      case REMOVE -> assertTrue(when, q.remove(item));
                      case REMOVE_IF -> assertTrue(when, q.removeIf(x -> x == item));
                      case ITERATOR -> {
                        Iterator<Item> it = q.iterator();
                        while (it.next() != item) {
                          // NoSuchElementException here: the iterator missed the item
                        }
                        it.remove();
                      }
                    }
                    assertFalse(when, q.contains(item));
                  }
                  finished.countDown();
                }
              }));
    }
    start.countDown();
    for (Thread t : threads) {
      awaitTermination(t);
    }
    if (finished.getCount() == 0) { // else tearDown reports the failure of the thread
      assertEquals(0, q.size());
      assertEquals(remainingCapacity, q.remainingCapacity());
    }
  }

  /**
   * Concurrent add and remove(Object) on a bounded view: each add finds room, each remove its item.
   */
  public void testConcurrentAddAndRemoveSeeEachItemWhenBounded() {
    hammerAddAndRemove(Channel.bounded(CAPACITY), Removal.REMOVE, 1000);
  }

  /** Concurrent add and removeIf on a bounded view: removeIf removes an item present all along. */
  public void testConcurrentAddAndRemoveIfSeeEachItemWhenBounded() {
    hammerAddAndRemove(Channel.bounded(CAPACITY), Removal.REMOVE_IF, 1000);
  }

  /** Concurrent add and Iterator.remove on a bounded view: the iterator yields and removes it. */
  public void testConcurrentAddAndIteratorRemoveSeeEachItemWhenBounded() {
    hammerAddAndRemove(Channel.bounded(CAPACITY), Removal.ITERATOR, 1000);
  }

  /** Concurrent add and remove(Object) on an unbounded view. */
  public void testConcurrentAddAndRemoveSeeEachItemWhenUnbounded() {
    hammerAddAndRemove(Channel.unbounded(), Removal.REMOVE, 1000);
  }

  /** Concurrent add and removeIf on an unbounded view. */
  public void testConcurrentAddAndRemoveIfSeeEachItemWhenUnbounded() {
    hammerAddAndRemove(Channel.unbounded(), Removal.REMOVE_IF, 1000);
  }

  /** Concurrent add and Iterator.remove on an unbounded view. */
  public void testConcurrentAddAndIteratorRemoveSeeEachItemWhenUnbounded() {
    hammerAddAndRemove(Channel.unbounded(), Removal.ITERATOR, 1000);
  }

  /** Closing the channel wakes a take blocked on the empty view and a put blocked on a full one. */
  public void testCloseWakesBlockedTakeAndPut() {
    final Channel<Item> empty = Channel.bounded(2);
    final Channel<Item> full = Channel.bounded(2);
    assertTrue(full.asBlockingQueue().offer(zero));
    assertTrue(full.asBlockingQueue().offer(one));
    final CountDownLatch started = new CountDownLatch(2);
    Thread taker =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                started.countDown();
                try {
                  empty.asBlockingQueue().take();
                  shouldThrow();
                } catch (ChannelClosedException success) {
                }
              }
            });
    Thread putter =
        newStartedThread(
            new CheckedRunnable() {
              @Override
              public void realRun() throws InterruptedException {
                started.countDown();
                try {
                  full.asBlockingQueue().put(two);
                  shouldThrow();
                } catch (ChannelClosedException success) {
                }
              }
            });
    await(started);
    assertThreadBlocks(taker, Thread.State.WAITING);
    assertThreadBlocks(putter, Thread.State.WAITING);
    empty.close();
    full.close();
    awaitTermination(taker);
    awaitTermination(putter);
    assertSame(zero, full.asBlockingQueue().poll());
    assertSame(one, full.asBlockingQueue().poll());
    assertNull(full.asBlockingQueue().poll());
  }
}
