package dev.sluice;

/**
 * One producer's handle on a {@link Channel}, obtained from {@link Channel#openSender()}. The
 * channel closes when every sender opened on it has been closed, so a group of producers can end a
 * stream without agreeing on who closes it and without a sentinel.
 *
 * <pre>{@code
 * Channel<String> lines = Channel.bounded(64);
 * for (Path file : files) {
 *   Sender<String> sender = lines.openSender();        // open before starting the producer
 *   executor.submit(() -> {
 *     try (sender) {
 *       for (String line : Files.readAllLines(file)) sender.send(line);
 *     }
 *     return null;
 *   });
 * }
 * lines.stream().forEach(System.out::println);         // ends when the last producer is done
 * }</pre>
 *
 * @param <T> the type of items sent
 */
public interface Sender<T> extends AutoCloseable {

  /**
   * Sends an item, waiting while the channel is full. Same as {@link Channel#send(Object)}.
   *
   * @param item the item to send
   * @throws InterruptedException if interrupted while waiting; the item was not sent
   * @throws ChannelClosedException if the channel is closed, or this sender is closed
   * @throws NullPointerException if {@code item} is null
   */
  void send(T item) throws InterruptedException;

  /**
   * Sends an item if the channel has room now. Same as {@link Channel#trySend(Object)}.
   *
   * @param item the item to send
   * @return true if sent, false if the channel is full
   * @throws ChannelClosedException if the channel is closed, or this sender is closed
   * @throws NullPointerException if {@code item} is null
   */
  boolean trySend(T item);

  /**
   * Closes this sender. The first call counts once towards closing the channel; later calls do
   * nothing. When every sender opened on the channel has been closed, the channel closes as by
   * {@link Channel#close()}.
   */
  @Override
  void close();
}
