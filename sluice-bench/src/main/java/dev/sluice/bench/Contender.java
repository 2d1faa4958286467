package dev.sluice.bench;

import dev.sluice.Channel;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpmcArrayQueue;

/**
 * One queue under test, seen through the blocking hand-off that a user would write with it.
 *
 * <p>Each JMH fork creates exactly one contender, so the calls through this class stay monomorphic
 * and are inlined: the adapter costs nothing next to the queue itself.
 *
 * @param <T> the type of items
 */
abstract class Contender<T> {

  /** The names accepted by {@link #create}, in the order the benchmarks list them. */
  static final String SLUICE = "sluice";

  static final String ABQ = "ArrayBlockingQueue";
  static final String LBQ = "LinkedBlockingQueue";
  static final String LTQ = "LinkedTransferQueue";
  static final String JCTOOLS = "jctools";

  /** Blocks until {@code item} is in the queue; throws if interrupted or closed. */
  abstract void put(T item) throws InterruptedException;

  /** Blocks until an item is available and returns it; throws if interrupted or closed. */
  abstract T take() throws InterruptedException;

  /** Inserts without waiting; false when full. */
  abstract boolean offer(T item);

  /** Removes without waiting; null when empty. */
  abstract T poll();

  /** The number of buffered items, for diagnostics. */
  abstract int size();

  /**
   * Wakes every thread blocked in {@link #put} or {@link #take} so that it exits: sluice closes its
   * channel, the others rely on the interrupts the caller sends next.
   */
  void shutdown() {}

  /**
   * Creates the named contender.
   *
   * @param name one of {@code sluice}, {@code ArrayBlockingQueue}, {@code LinkedBlockingQueue},
   *     {@code LinkedTransferQueue}, {@code jctools}
   * @param capacity the bound; ignored by {@code LinkedTransferQueue}, which is unbounded
   */
  static <T> Contender<T> create(String name, int capacity) {
    return switch (name) {
      case SLUICE -> new Sluice<>(Channel.bounded(capacity));
      case ABQ -> new Jdk<>(new ArrayBlockingQueue<>(capacity));
      case LBQ -> new Jdk<>(new LinkedBlockingQueue<>(capacity));
      case LTQ -> new Jdk<>(new LinkedTransferQueue<>());
      case JCTOOLS -> new JcTools<>(new MpmcArrayQueue<>(capacity));
      default -> throw new IllegalArgumentException("unknown contender: " + name);
    };
  }

  /** {@link Channel#send} and {@link Channel#receive}; the non-blocking pair for offer/poll. */
  static final class Sluice<T> extends Contender<T> {
    private final Channel<T> channel;

    Sluice(Channel<T> channel) {
      this.channel = channel;
    }

    @Override
    void put(T item) throws InterruptedException {
      channel.send(item);
    }

    @Override
    T take() throws InterruptedException {
      return channel.receive();
    }

    @Override
    boolean offer(T item) {
      return channel.trySend(item);
    }

    @Override
    T poll() {
      Optional<T> item = channel.tryReceive();
      return item.orElse(null);
    }

    @Override
    int size() {
      return channel.size();
    }

    @Override
    void shutdown() {
      channel.close();
    }
  }

  /** A {@link BlockingQueue}: put/take and offer/poll. */
  static final class Jdk<T> extends Contender<T> {
    private final BlockingQueue<T> queue;

    Jdk(BlockingQueue<T> queue) {
      this.queue = queue;
    }

    @Override
    void put(T item) throws InterruptedException {
      queue.put(item);
    }

    @Override
    T take() throws InterruptedException {
      return queue.take();
    }

    @Override
    boolean offer(T item) {
      return queue.offer(item);
    }

    @Override
    T poll() {
      return queue.poll();
    }

    @Override
    int size() {
      return queue.size();
    }
  }

  /**
   * JCTools {@link MpmcArrayQueue}, which never blocks, made blocking the way a user would: retry
   * {@code offer}/{@code poll}, spinning briefly with {@link Thread#onSpinWait()}, then parking
   * with {@link LockSupport#parkNanos} for a doubling time capped at {@link #PARK_MAX_NANOS}.
   * Producers and consumers use the same strategy. It cannot be closed: a blocked thread leaves
   * only when interrupted.
   */
  static final class JcTools<T> extends Contender<T> {
    /** Failed attempts answered by {@link Thread#onSpinWait()} before the first park. */
    static final int SPINS = 64;

    /** The first park; it doubles on each further failed attempt. */
    static final long PARK_MIN_NANOS = 1_000;

    /** The longest park, which bounds how late a waiter notices room or an item. */
    static final long PARK_MAX_NANOS = 64_000;

    private final MpmcArrayQueue<T> queue;

    JcTools(MpmcArrayQueue<T> queue) {
      this.queue = queue;
    }

    @Override
    void put(T item) throws InterruptedException {
      if (queue.offer(item)) {
        return;
      }
      int spins = 0;
      long parkNanos = PARK_MIN_NANOS;
      while (!queue.offer(item)) {
        if (spins < SPINS) {
          spins++;
          Thread.onSpinWait();
        } else {
          parkNanos = backOff(parkNanos);
        }
      }
    }

    @Override
    T take() throws InterruptedException {
      T item = queue.poll();
      if (item != null) {
        return item;
      }
      int spins = 0;
      long parkNanos = PARK_MIN_NANOS;
      while ((item = queue.poll()) == null) {
        if (spins < SPINS) {
          spins++;
          Thread.onSpinWait();
        } else {
          parkNanos = backOff(parkNanos);
        }
      }
      return item;
    }

    private static long backOff(long parkNanos) throws InterruptedException {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      LockSupport.parkNanos(parkNanos);
      return Math.min(parkNanos << 1, PARK_MAX_NANOS);
    }

    @Override
    boolean offer(T item) {
      return queue.offer(item);
    }

    @Override
    T poll() {
      return queue.poll();
    }

    @Override
    int size() {
      return queue.size();
    }
  }
}
