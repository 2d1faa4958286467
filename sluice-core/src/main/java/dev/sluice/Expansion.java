package dev.sluice;

/**
 * What an {@link Pipeline#expand expand} function may do with the item it is given: emit output
 * items downstream, and add follow-up items that the same stage will process, before any new input.
 *
 * <pre>{@code
 * Pipeline.from(List.of(root))
 *     .expand("walk", 8, (Path dir, Expansion<Path, Path> out) -> {
 *       try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
 *         for (Path entry : entries) {
 *           if (Files.isDirectory(entry)) out.followUp(entry); else out.emit(entry);
 *         }
 *       }
 *     })
 *     .forEach("print", 1, System.out::println)
 *     .run();
 * }</pre>
 *
 * <p>Use it only on the thread that runs the function and only until the function returns.
 *
 * @param <T> the stage's input type (and the type of follow-ups)
 * @param <R> the stage's output type
 */
public interface Expansion<T, R> {

  /**
   * Sends {@code item} downstream, waiting while the next stage's input is full.
   *
   * @param item the output item, not null
   * @throws InterruptedException if the pipeline is cancelled while it waits
   * @throws ChannelClosedException if the pipeline was cancelled or failed
   */
  void emit(R item) throws InterruptedException;

  /**
   * Adds {@code item} to this stage's work. Follow-ups are taken before new input (depth first),
   * never wait, and are not bounded by the stage's input capacity. The stage ends only when its
   * input is closed and drained and no item or follow-up is in flight.
   *
   * @param item the follow-up item, not null
   * @throws java.util.concurrent.RejectedExecutionException if the pipeline was cancelled or failed
   */
  void followUp(T item);
}
