package dev.sluice;

import java.io.Serial;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a send on a closed {@link Channel}, and by a receive on a channel that is closed and
 * has no items left.
 *
 * <p>{@link #getCause()} is the cause given to {@link Channel#close(Throwable)} or {@link
 * Channel#cancel(Throwable)}, or {@code null} if the channel was closed without one.
 */
public class ChannelClosedException extends IllegalStateException {
  @Serial private static final long serialVersionUID = 1L;

  /** Creates an exception for a channel closed without a cause. */
  public ChannelClosedException() {
    super("channel is closed");
  }

  /**
   * Creates an exception with a message and the close cause.
   *
   * @param message what was attempted on the closed channel
   * @param cause the close cause, or {@code null} if the channel was closed without one
   */
  public ChannelClosedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
