package dev.sluice;

import dev.sluice.internal.ArrayChannel;
import dev.sluice.internal.LinkedChannel;
import dev.sluice.internal.RendezvousChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;

/**
 * A closable, multi-producer multi-consumer queue: the hand-off point between threads.
 *
 * <p>A channel is what a {@link BlockingQueue} would be if it could be closed. Producers {@link
 * #send send}; consumers {@link #receive receive}; when the producers are done, one of them (or the
 * last of their {@link #openSender() senders}) closes the channel. Consumers then receive what is
 * left and, once it is drained, get {@link ChannelClosedException}, so nobody needs a sentinel
 * value or a separate counter to know the stream has ended.
 *
 * <pre>{@code
 * Channel<Path> files = Channel.bounded(100);
 * Thread producer = Thread.ofVirtual().start(() -> {
 *   try (Stream<Path> walk = Files.walk(root)) {
 *     for (Path p : (Iterable<Path>) walk::iterator) files.send(p);
 *   } catch (IOException | InterruptedException e) {
 *     files.close(e);                          // consumers see the failure after draining
 *   } finally {
 *     files.close();                           // no-op if already closed with a cause
 *   }
 * });
 * files.stream().forEach(this::index);         // ends when closed and drained
 * }</pre>
 *
 * <h2>Kinds</h2>
 *
 * <ul>
 *   <li>{@link #bounded(int)}: holds up to {@code capacity} items; {@code send} waits while full.
 *   <li>{@link #rendezvous()}: holds nothing; {@code send} completes only by handing its item
 *       directly to a receiver.
 *   <li>{@link #unbounded()}: {@code send} never waits; use only when the producers are known to be
 *       bounded by something else.
 * </ul>
 *
 * <h2>Closing</h2>
 *
 * <ul>
 *   <li>{@link #close()} and {@link #close(Throwable)} are idempotent: the first call closes and
 *       returns {@code true}; later calls return {@code false} and change nothing (a later cause is
 *       ignored).
 *   <li>After close, every send, including one already blocked, throws {@link
 *       ChannelClosedException}. A send that completed before the close is delivered.
 *   <li>After close, receives return the buffered items in order, then throw {@link
 *       ChannelClosedException} whose cause is the close cause (or null).
 *   <li>{@link #cancel(Throwable)} closes at once and hands back the buffered items instead of
 *       leaving them for the receivers, who then see the cause immediately.
 * </ul>
 *
 * <h2>Ordering</h2>
 *
 * Items from one producer are received in the order that producer sent them. With one producer and
 * one consumer the channel is FIFO.
 *
 * <h2>Interrupts</h2>
 *
 * A blocking method interrupted while waiting throws {@link InterruptedException} and leaves no
 * trace: an interrupted send has enqueued nothing, an interrupted receive has consumed nothing. A
 * call that need not wait (there is room, or an item, or on a rendezvous channel a waiting partner)
 * completes even if the caller's interrupt status is set, and leaves it set; a call that would have
 * to wait throws {@link InterruptedException} at once and clears it.
 *
 * <h2>Memory consistency effects</h2>
 *
 * Actions in a thread prior to sending an item <i>happen-before</i> actions subsequent to the
 * receipt of that item in another thread. Actions prior to {@code close} happen-before a receiver
 * or sender observes the channel as closed.
 *
 * <h2>Threads</h2>
 *
 * All waiting parks the thread (no {@code synchronized}), so any number of virtual threads may
 * block on a channel without pinning their carriers.
 *
 * @param <T> the type of items; null items are rejected
 */
public interface Channel<T> {

  /**
   * Creates a channel that holds up to {@code capacity} items.
   *
   * @param capacity the number of items the channel holds before {@code send} waits, at least 1
   * @param <T> the type of items
   * @return a new open channel
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  static <T> Channel<T> bounded(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    }
    return new ArrayChannel<>(capacity);
  }

  /**
   * Creates a channel with no buffer: a send completes only by handing its item to a receiver.
   *
   * @param <T> the type of items
   * @return a new open channel whose {@link #capacity()} is 0
   */
  static <T> Channel<T> rendezvous() {
    return new RendezvousChannel<>();
  }

  /**
   * Creates a channel without a bound: {@code send} never waits.
   *
   * @param <T> the type of items
   * @return a new open channel whose {@link #capacity()} is {@link Integer#MAX_VALUE}
   */
  static <T> Channel<T> unbounded() {
    return new LinkedChannel<>();
  }

  /**
   * Sends an item, waiting while the channel is full.
   *
   * @param item the item
   * @throws InterruptedException if interrupted while waiting; the item was not sent
   * @throws ChannelClosedException if the channel is closed before the item could be sent
   * @throws NullPointerException if {@code item} is null
   */
  void send(T item) throws InterruptedException;

  /**
   * Sends an item if there is room now (for a rendezvous channel: if a receiver is waiting now).
   *
   * @param item the item
   * @return true if sent, false if the channel is full
   * @throws ChannelClosedException if the channel is closed
   * @throws NullPointerException if {@code item} is null
   */
  boolean trySend(T item);

  /**
   * Sends an item, waiting up to {@code timeout} for room.
   *
   * @param item the item
   * @param timeout how long to wait at most; zero or negative means do not wait
   * @return true if sent, false if the timeout elapsed first (the item was not sent)
   * @throws InterruptedException if interrupted while waiting; the item was not sent
   * @throws ChannelClosedException if the channel is closed before the item could be sent
   * @throws NullPointerException if {@code item} or {@code timeout} is null
   */
  boolean trySend(T item, Duration timeout) throws InterruptedException;

  /**
   * Receives the next item, waiting while the channel is empty and open.
   *
   * @return the item
   * @throws InterruptedException if interrupted while waiting; nothing was consumed
   * @throws ChannelClosedException if the channel is closed and has no items left; its cause is the
   *     close cause
   */
  T receive() throws InterruptedException;

  /**
   * Receives the next item if one is available now.
   *
   * @return the item, or empty if the channel is empty and still open
   * @throws ChannelClosedException if the channel is closed and has no items left
   */
  Optional<T> tryReceive();

  /**
   * Receives the next item, waiting up to {@code timeout} for one.
   *
   * @param timeout how long to wait at most; zero or negative means do not wait
   * @return the item, or empty if the timeout elapsed while the channel was empty and open
   * @throws InterruptedException if interrupted while waiting; nothing was consumed
   * @throws ChannelClosedException if the channel is closed and has no items left
   * @throws NullPointerException if {@code timeout} is null
   */
  Optional<T> tryReceive(Duration timeout) throws InterruptedException;

  /**
   * Closes the channel for sending. Buffered items stay receivable; blocked senders throw {@link
   * ChannelClosedException}; receivers throw it once the channel is drained.
   *
   * @return true if this call closed the channel, false if it was already closed
   */
  boolean close();

  /**
   * Closes the channel with a cause: as {@link #close()}, and receivers that find the channel
   * drained get a {@link ChannelClosedException} whose cause is {@code cause}.
   *
   * @param cause why the channel was closed, typically the producer's failure
   * @return true if this call closed the channel, false if it was already closed (the cause is then
   *     ignored)
   * @throws NullPointerException if {@code cause} is null
   */
  boolean close(Throwable cause);

  /**
   * Closes the channel at once and hands back what it held. Every blocked sender and receiver wakes
   * and throws {@link ChannelClosedException}; later receives throw at once.
   *
   * <p>If the channel was already closed, its first cause is kept; the remaining buffered items are
   * still returned. A rendezvous channel holds nothing, so its cancel returns an empty list (the
   * items of blocked senders are not delivered, and each such sender gets the exception).
   *
   * @param cause why the channel was cancelled
   * @return the items that were buffered and not received, in the order they would have been
   *     received
   * @throws NullPointerException if {@code cause} is null
   */
  List<T> cancel(Throwable cause);

  /**
   * Whether the channel is closed, so that sends fail.
   *
   * @return true once {@code close}, {@code close(cause)} or {@code cancel} has been called
   */
  boolean isClosedForSend();

  /**
   * Whether the channel is closed and drained, so that receives fail.
   *
   * @return true once the channel is closed and holds no items
   */
  boolean isClosedForReceive();

  /**
   * The number of buffered items. Always 0 for a rendezvous channel.
   *
   * @return the number of items a receiver could take now
   */
  int size();

  /**
   * The capacity given at creation: 0 for a rendezvous channel, {@link Integer#MAX_VALUE} when
   * unbounded.
   *
   * @return the capacity
   */
  int capacity();

  /**
   * Opens a sender: the channel closes (as by {@link #close()}) when every sender opened on it has
   * been closed. Open all senders before closing any, typically before starting the producers. An
   * explicit {@link #close()} works at any time regardless of open senders.
   *
   * @return a new sender on this channel
   * @throws ChannelClosedException if the channel is already closed
   */
  Sender<T> openSender();

  /**
   * A sequential stream of received items: each element is taken by {@link #receive()}. The stream
   * ends when the channel is closed and drained; if it was closed with a cause, the terminal
   * operation throws {@link ChannelClosedException} with that cause at the end. An interrupt while
   * waiting ends the stream by throwing {@link ChannelClosedException} whose cause is the {@link
   * InterruptedException}, with the thread's interrupt flag set again.
   *
   * @return a lazy stream over the items received from this channel
   */
  Stream<T> stream();

  /**
   * A {@link BlockingQueue} view of this channel, for code that expects one. While the channel is
   * open the view behaves as {@code BlockingQueue} specifies. After close, insertions throw {@link
   * ChannelClosedException}, {@code poll} returns the remaining items and then {@code null}, and
   * {@code take} returns the remaining items and then throws {@link ChannelClosedException}.
   *
   * @return a view backed by this channel
   */
  BlockingQueue<T> asBlockingQueue();
}
