package dev.sluice.cli;

import dev.sluice.FailedItem;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The paths a scan skipped, each with one reason. Thread-safe: stage workers add concurrently; a
 * path is kept once, with the first reason given for it (a {@link ConcurrentHashMap#putIfAbsent} on
 * its raw bytes decides which).
 */
final class Problems {

  /**
   * One skipped path.
   *
   * @param path the path
   * @param bytes its raw bytes, for printing and sorting
   * @param reason why it was skipped
   */
  record Problem(Path path, byte[] bytes, String reason) {}

  /** A file whose size changed between the walk and a read: not hashed, not reported. */
  static final class ChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    ChangedException(long listed, boolean grew) {
      super(
          "changed size during the scan (listed with "
              + listed
              + " bytes, "
              + (grew ? "now larger" : "now smaller")
              + ")");
    }
  }

  /**
   * A file that was no longer a regular file when it was read, or a directory that was no longer a
   * directory when it was listed: a FIFO put in its place after the walk listed it, say. Not read,
   * left out of the groups, and reported as skipped with this exception's reason.
   */
  static final class ReplacedException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    /**
     * "replaced by a {@code kind} during the scan: {@code outcome}" ("not read", say), caused by
     * {@code cause} (the failure that showed it), if any.
     */
    ReplacedException(Path path, String kind, String outcome, @Nullable Throwable cause) {
      super(path.toString(), null, "replaced by a " + kind + " during the scan: " + outcome);
      if (cause != null) {
        initCause(cause);
      }
    }
  }

  /**
   * {@code failure}, or a {@link ReplacedException} if {@code path} is no longer of the {@code
   * expected} type the walk found ("regular file", "directory"): what it is now tells why the
   * failure came.
   */
  static IOException replacedOr(
      IOException failure, Path path, LinkOption[] options, String expected, String outcome) {
    String now = Walker.type(path, options);
    return now == null || now.equals(expected)
        ? failure
        : new ReplacedException(path, now, outcome, failure);
  }

  private final ConcurrentHashMap<String, Problem> byPath = new ConcurrentHashMap<>();

  /** Records that {@code path} was skipped because of {@code reason}, unless it already was. */
  void add(Path path, String reason) {
    byte[] bytes = PathBytes.of(path);
    byPath.putIfAbsent(
        new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1),
        new Problem(path, bytes, reason));
  }

  /** Records the failure of a stage function, handed over by a dead-letter policy. */
  void failed(FailedItem failed) {
    Object item = failed.item();
    Path path =
        switch (item) {
          case FileEntry f -> f.path();
          case Hashed h -> h.file().path();
          case Walker.Dir d -> d.path();
          case Group g -> g.files().get(0).path();
          default -> Path.of(String.valueOf(item));
        };
    @Nullable FileEntry file =
        item instanceof FileEntry f ? f : item instanceof Hashed h ? h.file() : null;
    if (file != null && !file.viaLink() && isLoop(failed.cause())) {
      add(path, "replaced by a symbolic link during the scan: not followed");
      return;
    }
    if (failed.cause() instanceof ReplacedException replaced) {
      add(path, replaced.getReason());
      return;
    }
    String what = item instanceof Walker.Dir ? "cannot list directory: " : "cannot read: ";
    add(path, what + reason(failed.cause()));
  }

  /** A short, lower-case reason for an I/O failure: "permission denied", "vanished ...". */
  static String reason(Throwable cause) {
    if (cause instanceof ChangedException) {
      return cause.getMessage();
    }
    if (cause instanceof NoSuchFileException) {
      return "vanished during the scan";
    }
    if (cause instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (cause instanceof NotDirectoryException) {
      return "not a directory"; // its message is only the path
    }
    if (isLoop(cause)) {
      return "symbolic link loop (too many levels of symbolic links)";
    }
    if (cause instanceof FileSystemException fse && fse.getReason() != null) {
      return lowerFirst(fse.getReason());
    }
    if (cause instanceof IOException && cause.getMessage() != null) {
      return lowerFirst(cause.getMessage());
    }
    return cause.toString();
  }

  /**
   * ELOOP: a link loop, or O_NOFOLLOW meeting a link (a plain IOException, with no file, in JDK
   * 25).
   */
  private static boolean isLoop(Throwable cause) {
    String text = cause instanceof FileSystemException fse ? fse.getReason() : cause.getMessage();
    return cause instanceof IOException
        && text != null
        && text.startsWith("Too many levels of symbolic links");
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }

  int count() {
    return byPath.size();
  }

  /** The problems sorted by path bytes (as {@code LC_ALL=C sort} would). */
  List<Problem> sorted() {
    List<Problem> all = new ArrayList<>(byPath.values());
    all.sort((a, b) -> Arrays.compareUnsigned(a.bytes(), b.bytes()));
    return all;
  }
}
