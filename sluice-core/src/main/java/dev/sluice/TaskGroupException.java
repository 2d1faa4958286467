package dev.sluice;

import java.io.Serial;
import java.util.List;

/**
 * Thrown by {@link TaskGroup#join()} (and {@link TaskGroup#close()}) when tasks of the group
 * failed. The {@linkplain #getCause() cause} is the first failure; later failures are {@linkplain
 * #getSuppressed() suppressed}. {@link #failures()} lists them all in the order they happened.
 */
public class TaskGroupException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates an exception for the failures of a group.
   *
   * @param groupName the group's name, for the message
   * @param failures the failures in the order they happened; at least one
   */
  @SuppressWarnings("this-escape") // addSuppressed is final
  public TaskGroupException(String groupName, List<? extends Throwable> failures) {
    super(message(groupName, failures), failures.get(0));
    for (int i = 1; i < failures.size(); i++) {
      addSuppressed(failures.get(i));
    }
  }

  private static String message(String groupName, List<? extends Throwable> failures) {
    String first = String.valueOf(failures.get(0));
    return failures.size() == 1
        ? "task group '" + groupName + "' failed: " + first
        : "task group '"
            + groupName
            + "' failed: "
            + first
            + " (and "
            + (failures.size() - 1)
            + " more)";
  }

  /**
   * Every failure, the cause first.
   *
   * @return an unmodifiable list of the failures
   */
  public List<Throwable> failures() {
    Throwable[] later = getSuppressed();
    Throwable[] all = new Throwable[later.length + 1];
    all[0] = getCause();
    System.arraycopy(later, 0, all, 1, later.length);
    return List.of(all);
  }
}
