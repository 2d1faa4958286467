package dev.sluice.internal;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Whether a stream of this JVM is an interactive terminal, and how wide it is. */
public final class ProgressConsole {

  /** The width assumed when {@code COLUMNS} is not set. */
  public static final int DEFAULT_COLUMNS = 100;

  private ProgressConsole() {}

  /**
   * Whether {@code out} writes to a terminal that understands ANSI control sequences.
   *
   * <ol>
   *   <li>Only {@code System.out} and {@code System.err} (the very objects, at the time of the
   *       call) can be terminals: any other stream counts as not one.
   *   <li>{@code TERM=dumb} means no.
   *   <li>Where {@code /proc/self/fd} exists (Linux), the stream's file descriptor (1 or 2) is a
   *       terminal if it points to {@code /dev/pts/*}, {@code /dev/tty*} or {@code /dev/console}.
   *   <li>Elsewhere, {@link System#console()}: on JDK 22 and later {@code Console.isTerminal()}
   *       (called by reflection, since sluice compiles for 21); on JDK 21 whether a console exists
   *       at all, which means stdin and stdout are terminals, whatever {@code out} is.
   * </ol>
   *
   * @param out the stream
   * @return whether to draw live
   */
  public static boolean isTerminal(PrintStream out) {
    int fd;
    if (out == System.out) {
      fd = 1;
    } else if (out == System.err) {
      fd = 2;
    } else {
      return false;
    }
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    Boolean byDescriptor = descriptorIsTerminal(fd);
    return byDescriptor != null ? byDescriptor : consoleIsTerminal();
  }

  /**
   * The terminal's width from the {@code COLUMNS} environment variable, or {@link
   * #DEFAULT_COLUMNS}. (Shells set {@code COLUMNS} but most do not export it.)
   *
   * @return the width
   */
  public static int columns() {
    return columns(System.getenv("COLUMNS"));
  }

  static int columns(@Nullable String value) {
    if (value != null) {
      try {
        int columns = Integer.parseInt(value.trim());
        if (columns > 0) {
          return columns;
        }
      } catch (NumberFormatException e) {
        // not a number: the default
      }
    }
    return DEFAULT_COLUMNS;
  }

  private static @Nullable Boolean descriptorIsTerminal(int fd) {
    Path link = Path.of("/proc/self/fd/" + fd);
    try {
      if (!Files.isSymbolicLink(link)) {
        return null;
      }
      String target = Files.readSymbolicLink(link).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  private static boolean consoleIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    Method isTerminal;
    try {
      isTerminal = Console.class.getMethod("isTerminal");
    } catch (NoSuchMethodException e) {
      return true; // JDK 21: a console exists only when stdin and stdout are terminals
    }
    try {
      return Boolean.TRUE.equals(isTerminal.invoke(console));
    } catch (IllegalAccessException | InvocationTargetException e) {
      return false;
    }
  }
}
