package dev.sluice.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Opens files for the stages that read them and directories for the walk, and keeps a file or
 * directory that became a FIFO after the walk listed it from hanging the scan.
 *
 * <p>The walk opens nothing it did not list as a regular file or a directory, but between the
 * listing and the open anyone who may write to the parent directory can put a FIFO in its place.
 * Opening a FIFO for reading waits for a writer, inside the kernel, where neither an interrupt nor
 * a timeout reaches it (and Java has no {@code O_NONBLOCK} for files; nor does it open a directory
 * stream with {@code O_DIRECTORY}). So a watcher thread looks at the opens in progress once per
 * period. An open it finds still running for the same item a period later, of a path that is now a
 * FIFO, it ends by opening that FIFO for reading and writing itself (on Linux such an open never
 * waits) and closing it at once: the waiting open returns. For a file, the first read then fails at
 * once ({@code pread} on a FIFO: {@code ESPIPE}), which {@link ContentHasher#readFrom} reports as
 * the file having been replaced; for a directory, the JDK finds it is not one, which {@link Walker}
 * reports the same way. A slow open of anything else, a regular file on a slow disk say, is left
 * alone.
 *
 * <p>What this cannot end: a FIFO that sluice may read but not write (put there by another user
 * with mode 644, say; root may write any), and a FIFO that is itself replaced while the open waits
 * (no path leads to it any more). Ending those would take a signal to the waiting thread (the JDK's
 * {@code open} then tries again, by path), which Java has no public way to send. So an open still
 * waiting {@link #ABANDON_AFTER} after the watcher found a FIFO at its path, or found a thread of
 * this process waiting for a FIFO's writer (Linux's {@code /proc}: the sign left by a FIFO that was
 * swapped out again before the watcher looked), is {@linkplain #abandoned() abandoned}: {@link
 * Dupes#finish} stops waiting for its worker once the rest of the pipeline is done, and the path is
 * reported.
 *
 * <p>Cost per open: a thread-local lookup and two volatile writes. The watcher is one platform
 * thread that wakes once per period; {@link #close} stops it.
 *
 * <p>Implementation overview. Each thread that opens has its own {@link Slot}, added once to {@link
 * #slots} (a concurrent queue the watcher iterates). A slot's {@code opening} is written only by
 * its thread, volatile so that the watcher sees the open in progress; its {@code seen}, {@code
 * looks} and {@code fifo} are the watcher's alone. Per slot the watcher goes through: idle ({@code
 * opening} null, or an open not seen before: {@code seen} takes it); waiting (the same open found
 * again, {@code looks} counting the looks: each tries a release, which ends the open if its path is
 * a FIFO sluice may write, and sets {@code fifo} once a look finds a sign of a FIFO); abandoned
 * ({@code looks} reached {@link #ABANDON_AFTER}'s worth with {@code fifo} set: the item is added to
 * {@link #abandoned}, once). An open that returns, or a new one, puts the slot back to idle. The
 * watcher acts only on an open it saw in two looks a period apart, so a stale or racing read costs
 * at most a period's delay, or a stat of a file that was opened twice in a row. {@link #abandoned}
 * is a concurrent queue: the watcher's add happens before an {@link #abandoned()} that returns the
 * item. {@code closed} is volatile and {@link #close} unparks the watcher, which then ends.
 */
final class Opener implements AutoCloseable {

  /** How often the watcher looks: a FIFO's open waits one to two periods. */
  static final Duration PERIOD = Duration.ofMillis(250);

  /**
   * How long an open may go on waiting after the watcher found a sign of a FIFO, before it is
   * abandoned: reported, and no longer waited for by {@link Dupes#finish}.
   */
  static final Duration ABANDON_AFTER = Duration.ofSeconds(2);

  private static final Duration JOIN_LIMIT = Duration.ofSeconds(2);

  // Sets, not arrays: FileChannel.open(Path, OpenOption...) copies an array into a new HashSet.
  private static final Set<OpenOption> NO_FOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  private static final Set<OpenOption> FOLLOW = Set.of(StandardOpenOption.READ);
  private static final Set<OpenOption> READ_WRITE_NO_FOLLOW =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final Set<OpenOption> READ_WRITE =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
  private static final LinkOption[] NO_FOLLOW_LINK = {LinkOption.NOFOLLOW_LINKS};
  private static final LinkOption[] FOLLOW_LINK = {};

  /** This process's threads, on Linux. */
  private static final Path TASKS = Path.of("/proc/self/task");

  /** One thread's open in progress, a file or a directory: written by that thread. */
  private static final class Slot {
    volatile Walker.@Nullable Item opening;

    /** What the watcher saw last time; the watcher's own, as are the two fields below. */
    Walker.@Nullable Item seen;

    /** Looks in a row that found {@link #seen} still opening. */
    long looks;

    /** Whether one of those looks found a FIFO at its path. */
    boolean fifo;
  }

  private final Queue<Slot> slots = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(this::newSlot);
  private final Queue<Walker.Item> abandoned = new ConcurrentLinkedQueue<>();
  private final long periodNanos;
  private final long abandonLooks;
  private final Thread watcher;
  private volatile boolean closed;

  private Opener(Duration period) {
    this.periodNanos = period.toNanos();
    this.abandonLooks = Math.max(2, ABANDON_AFTER.toNanos() / periodNanos);
    this.watcher = Thread.ofPlatform().daemon().name("sluice-open-watch").unstarted(this::watch);
  }

  /** Starts an opener whose watcher looks every {@link #PERIOD}. */
  static Opener start() {
    return start(PERIOD);
  }

  /** Starts an opener whose watcher looks every {@code period}. */
  static Opener start(Duration period) {
    Opener opener = unstarted(period);
    opener.startWatcher();
    return opener;
  }

  /**
   * An opener whose watcher looks every {@code period} once {@link #startWatcher} starts it: for
   * tests that set up an open before the watcher may look at it.
   */
  static Opener unstarted(Duration period) {
    return new Opener(period);
  }

  /** Starts the watcher of an {@link #unstarted} opener. */
  void startWatcher() {
    watcher.start();
  }

  /**
   * Opens {@code file} for reading: with {@code O_NOFOLLOW} unless it was reached through a link
   * meant to be followed, so a file replaced by a link during the scan is not followed.
   */
  FileChannel open(FileEntry file) throws IOException {
    Slot mine = slot.get();
    mine.opening = file;
    try {
      return FileChannel.open(file.path(), follows(file) ? FOLLOW : NO_FOLLOW);
    } finally {
      mine.opening = null;
    }
  }

  /**
   * Opens {@code dir} for listing, as {@link Files#newDirectoryStream(Path)} does: following a link
   * if one is there now ({@link Walker} checks that the directory opened is the one it found).
   */
  DirectoryStream<Path> list(Walker.Dir dir) throws IOException {
    Slot mine = slot.get();
    mine.opening = dir;
    try {
      return Files.newDirectoryStream(dir.path());
    } finally {
      mine.opening = null;
    }
  }

  /**
   * Whether {@code item} is opened following a link at its path: a file only if it was reached
   * through one meant to be followed, a directory always ({@link Files#newDirectoryStream(Path)}).
   */
  private static boolean follows(Walker.Item item) {
    return !(item instanceof FileEntry file) || file.viaLink();
  }

  /** The link options {@code item} is opened with, for reading its attributes. */
  static LinkOption[] linkOptions(Walker.Item item) {
    return follows(item) ? FOLLOW_LINK : NO_FOLLOW_LINK;
  }

  private Slot newSlot() {
    Slot fresh = new Slot();
    slots.add(fresh);
    return fresh;
  }

  private void watch() {
    while (!closed) {
      LockSupport.parkNanos(this, periodNanos); // close() unparks; an early wake-up only looks
      for (Slot each : slots) {
        Walker.Item item = each.opening;
        if (item == null || item != each.seen) {
          each.seen = item;
          each.looks = 0;
          each.fifo = false;
        } else if (++each.looks < abandonLooks) {
          boolean atItsPath = releaseIfFifo(item); // tried on every look: it may end the open
          each.fifo = each.fifo || atItsPath || someThreadWaitsOnAFifo();
        } else if (each.looks == abandonLooks && each.fifo) {
          abandoned.add(item);
        }
      }
    }
  }

  /**
   * If {@code item} is a FIFO now, opens and closes it for reading and writing, which ends an open
   * waiting for a writer, and returns true. (If the same item was merely opened twice in a row,
   * this costs a stat.)
   */
  private static boolean releaseIfFifo(Walker.Item item) {
    if (!"fifo".equals(Walker.type(item.path(), linkOptions(item)))) {
      return false; // a regular file or directory opening slowly, say, or gone
    }
    try { // opened as the waiting open was
      FileChannel.open(item.path(), follows(item) ? READ_WRITE : READ_WRITE_NO_FOLLOW).close();
    } catch (IOException | RuntimeException e) {
      // Gone, replaced again, or not writable by us: the open is abandoned if it goes on waiting.
    }
    return true;
  }

  /**
   * Whether a thread of this process waits in the kernel for a FIFO's writer (Linux: its {@code
   * wchan} in {@code /proc}). The sign that an open whose path is no longer a FIFO still waits on
   * the one that was there: asked only about an open that has gone on for a period.
   */
  private static boolean someThreadWaitsOnAFifo() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("wchan")).equals("wait_for_partner")) {
            return true;
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: no sign
    }
    return false;
  }

  /**
   * The opens abandoned so far, oldest first: each still waiting {@link #ABANDON_AFTER} after the
   * watcher found a sign of a FIFO (see above), so waiting on a FIFO it cannot end. Their threads
   * may wait forever.
   */
  List<Walker.Item> abandoned() {
    return List.copyOf(abandoned);
  }

  /**
   * Stops the watcher and waits for it to end, which it does at once, unless a stat of its hangs (a
   * file system that stopped answering): after {@link #JOIN_LIMIT}, or at an interrupt, it is left
   * to end on its own (a daemon thread: it does not keep the JVM alive).
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(watcher);
    try {
      watcher.join(JOIN_LIMIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
