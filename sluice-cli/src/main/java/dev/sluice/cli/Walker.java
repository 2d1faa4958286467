package dev.sluice.cli;

import dev.sluice.Expansion;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The {@code walk} stage of {@code sluice dupes}: an {@link Expansion expand} function that lists a
 * directory, adds its subdirectories as follow-ups and emits its regular files.
 *
 * <p>Each entry is stat'ed once, relative to the open directory ({@code fstatat} through a {@link
 * SecureDirectoryStream}, so long paths cost no more than short ones), without following links.
 * Symbolic links are skipped unless {@code followLinks}; then they are stat'ed once more, following
 * the link. FIFOs, sockets and devices are reported and never opened. Directories are opened
 * through the {@link Opener}, so that one replaced by a FIFO since it was listed cannot hang the
 * walk.
 *
 * <p>Loops: a directory whose file key is one of its own ancestors' is a loop, reported and not
 * entered. Without {@code followLinks} a directory is also listed only once whatever the number of
 * paths to it (bind mounts): a concurrent set of the file keys entered.
 *
 * <p>Thread-safety: called by many workers at once. Shared state is that set and the counters
 * ({@link LongAdder}s); {@link Problems} is thread-safe.
 */
final class Walker {

  /** What the walk stage takes: a directory to list, or a file given as a root. */
  sealed interface Item permits Dir, FileEntry {
    /** Its path, as reached from its root. */
    Path path();
  }

  /**
   * A directory to list.
   *
   * @param path its path, as reached from its root
   * @param key its file key
   * @param parent the directory it was found in, or null for a root: the chain of ancestors tells a
   *     link loop from a second path to the same directory
   * @param root the root it was reached from (for {@code --exclude} globs with a '/')
   */
  record Dir(Path path, Object key, @Nullable Dir parent, Path root) implements Item {}

  /** Counters of what the walk saw and left out. */
  static final class Counts {
    final LongAdder directories = new LongAdder();
    final LongAdder files = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder symlinks = new LongAdder();
    final LongAdder empty = new LongAdder();
    final LongAdder small = new LongAdder();
    final LongAdder hidden = new LongAdder();
    final LongAdder excluded = new LongAdder();
  }

  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
  private static final LinkOption[] FOLLOW = {};

  /** The {@link #type}s the walk handles itself; {@link #kind} names the others. */
  private static final Set<String> ORDINARY = Set.of("regular file", "directory", "symbolic link");

  private final DupesOptions options;
  private final Problems problems;
  private final Counts counts;
  private final Opener opener;
  private final Set<Object> entered = ConcurrentHashMap.newKeySet();
  private final List<PathMatcher> nameGlobs;
  private final List<PathMatcher> pathGlobs;

  Walker(DupesOptions options, Problems problems, Counts counts, Opener opener) {
    this.options = options;
    this.problems = problems;
    this.counts = counts;
    this.opener = opener;
    this.nameGlobs =
        options.excludes().stream()
            .filter(g -> !g.contains("/"))
            .map(g -> Path.of("").getFileSystem().getPathMatcher("glob:" + g))
            .toList();
    this.pathGlobs =
        options.excludes().stream()
            .filter(g -> g.contains("/"))
            .map(g -> Path.of("").getFileSystem().getPathMatcher("glob:" + g))
            .toList();
  }

  /** Marks a root directory as entered; false if it was already (the same directory twice). */
  boolean enterRoot(Object key) {
    return entered.add(key);
  }

  /** The stage function. */
  void expand(Item item, Expansion<Item, FileEntry> out) throws IOException, InterruptedException {
    // Not a pattern switch: its bootstrap spins a class at the first call, in every run.
    if (item instanceof Dir dir) {
      list(dir, out);
    } else {
      out.emit((FileEntry) item);
    }
  }

  private void list(Dir dir, Expansion<Item, FileEntry> out)
      throws IOException, InterruptedException {
    counts.directories.increment();
    try (DirectoryStream<Path> entries = listing(dir)) {
      SecureDirectoryStream<Path> secure =
          entries instanceof SecureDirectoryStream<Path> s ? s : null;
      for (Path entry : entries) {
        visit(dir, secure, entry, out);
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
  }

  /**
   * {@code dir} opened for listing; a {@link Problems.ReplacedException} if it is no longer a
   * directory (a FIFO or a file put in its place since the walk found it), or, unless {@code
   * followLinks}, if a symbolic link was put in its place (opening a directory stream follows
   * links: the open directory's file key tells, for the cost of an {@code fstat}).
   */
  private DirectoryStream<Path> listing(Dir dir) throws IOException {
    DirectoryStream<Path> entries;
    try {
      entries = opener.list(dir);
    } catch (NotDirectoryException e) {
      throw Problems.replacedOr(e, dir.path(), FOLLOW, "directory", "not listed");
    }
    if (!options.followLinks() && entries instanceof SecureDirectoryStream<Path> secure) {
      try {
        Object opened =
            secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        if (opened != null && !opened.equals(dir.key()) && Files.isSymbolicLink(dir.path())) {
          throw new Problems.ReplacedException(dir.path(), "symbolic link", "not followed", null);
        }
      } catch (IOException | RuntimeException e) {
        entries.close();
        throw e;
      }
    }
    return entries;
  }

  private void visit(
      Dir dir,
      @Nullable SecureDirectoryStream<Path> secure,
      Path entry,
      Expansion<Item, FileEntry> out)
      throws InterruptedException {
    Path name = entry.getFileName();
    if (!options.hidden() && name.toString().startsWith(".")) {
      counts.hidden.increment();
      return;
    }
    if (excluded(dir, entry, name)) {
      counts.excluded.increment();
      return;
    }
    BasicFileAttributes attrs;
    try {
      attrs = attributes(secure, entry, name, NO_FOLLOW);
    } catch (IOException e) {
      problems.add(entry, Problems.reason(e));
      return;
    }
    boolean viaLink = false;
    if (attrs.isSymbolicLink()) {
      if (!options.followLinks()) {
        counts.symlinks.increment();
        return;
      }
      try {
        attrs = attributes(secure, entry, name, FOLLOW);
        viaLink = true;
      } catch (NoSuchFileException e) {
        problems.add(entry, "broken symbolic link");
        return;
      } catch (IOException e) {
        problems.add(entry, Problems.reason(e));
        return;
      }
    }
    if (attrs.isDirectory()) {
      Object key = key(attrs, entry);
      for (Dir ancestor = dir; ancestor != null; ancestor = ancestor.parent()) {
        if (ancestor.key().equals(key)) {
          problems.add(entry, "symbolic link loop: leads back to " + ancestor.path());
          return;
        }
      }
      // Without links a directory has one path, unless a bind mount gives it another: list it
      // once. With --follow-links every path is walked (only a loop stops one), so that which
      // paths are seen does not depend on the order of the walk; their files count once each.
      if (!options.followLinks() && !entered.add(key)) {
        return;
      }
      out.followUp(new Dir(entry, key, dir, dir.root()));
    } else if (attrs.isRegularFile()) {
      FileEntry file = regularFile(entry, attrs, viaLink);
      if (file != null) {
        out.emit(file);
      }
    } else {
      problems.add(entry, "not a regular file (" + kind(entry) + "): never opened");
    }
  }

  /** A regular file that passes the size filters, counted; or null. */
  @Nullable FileEntry regularFile(Path path, BasicFileAttributes attrs, boolean viaLink) {
    long size = attrs.size();
    counts.files.increment();
    counts.bytes.add(size);
    if (size == 0 && !options.includeEmpty()) {
      counts.empty.increment();
      return null;
    }
    if (size < options.minSize()) {
      counts.small.increment();
      return null;
    }
    return new FileEntry(path, size, key(attrs, path), viaLink);
  }

  private boolean excluded(Dir dir, Path entry, Path name) {
    for (int i = 0; i < nameGlobs.size(); i++) { // no iterator: called for every entry
      if (nameGlobs.get(i).matches(name)) {
        return true;
      }
    }
    if (!pathGlobs.isEmpty()) {
      Path relative = dir.root().relativize(entry);
      for (PathMatcher glob : pathGlobs) {
        if (glob.matches(relative) || glob.matches(entry)) {
          return true;
        }
      }
    }
    return false;
  }

  private static BasicFileAttributes attributes(
      @Nullable SecureDirectoryStream<Path> secure, Path entry, Path name, LinkOption[] options)
      throws IOException {
    if (secure != null) {
      BasicFileAttributeView view =
          secure.getFileAttributeView(name, BasicFileAttributeView.class, options);
      return view.readAttributes();
    }
    return Files.readAttributes(entry, BasicFileAttributes.class, options);
  }

  static Object key(BasicFileAttributes attrs, Path path) {
    Object key = attrs.fileKey();
    return key != null ? key : path.toAbsolutePath().normalize();
  }

  /**
   * What a path that is not a regular file, directory or link is: "fifo", "socket", "character
   * device", "block device" or "special file" (also when it cannot be told).
   */
  static String kind(Path path) {
    String type = type(path, LinkOption.NOFOLLOW_LINKS);
    return type == null || ORDINARY.contains(type) ? "special file" : type;
  }

  /**
   * What {@code path} is now: "regular file", "directory", "symbolic link", "fifo", "socket",
   * "character device", "block device" or "special file"; null if it cannot be read. Follows links
   * or not as {@code options} say.
   */
  static @Nullable String type(Path path, LinkOption... options) {
    try {
      int mode = (Integer) Files.getAttribute(path, "unix:mode", options);
      return switch (mode & 0170000) {
        case 0100000 -> "regular file";
        case 0040000 -> "directory";
        case 0120000 -> "symbolic link";
        case 0010000 -> "fifo";
        case 0140000 -> "socket";
        case 0020000 -> "character device";
        case 0060000 -> "block device";
        default -> "special file";
      };
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
