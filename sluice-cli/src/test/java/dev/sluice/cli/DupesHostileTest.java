package dev.sluice.cli;

import static dev.sluice.cli.CliRun.bytes;
import static dev.sluice.cli.CliRun.dupes;
import static dev.sluice.cli.CliRun.sh;
import static dev.sluice.cli.CliRun.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sluice.Expansion;
import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineStats;
import dev.sluice.RunnablePipeline;
import dev.sluice.Stage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input: missing paths, unreadable entries, special files, odd names, files that change.
 * Each is reported once on stderr with its path and reason, the scan goes on, and the exit code is
 * 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DupesHostileTest {

  @TempDir Path root;

  /**
   * For the tests that read files without the CLI; started by {@link #opener()}, so that a CLI run
   * finds no watcher but its own. Looks every 20 ms: a FIFO's open waits 20-40 ms.
   */
  private @Nullable Opener opener;

  private Opener opener() {
    if (opener == null) {
      opener = Opener.start(Duration.ofMillis(20));
    }
    return opener;
  }

  @AfterEach
  void stopTheWatcher() {
    if (opener != null) {
      opener.close();
    }
  }

  private List<String> paths(String... names) {
    return Arrays.stream(names).map(name -> root.resolve(name).toString()).toList();
  }

  private void pair() throws IOException {
    write(root.resolve("a"), bytes(3000, 1));
    write(root.resolve("b"), bytes(3000, 1));
  }

  @Test
  void aMissingPathIsReportedAndTheOthersScanned() throws IOException {
    pair();

    CliRun.Result result = dupes(root.resolve("missing"), root);

    assertThat(result.groups()).containsExactly(paths("a", "b"));
    assertThat(result.skipped())
        .containsExactly(
            "sluice: skipped " + root.resolve("missing") + ": no such file or directory");
    assertThat(result.summary()).endsWith("; 1 skipped (listed above)");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void unreadableDirectoriesAndFilesAreReported() throws IOException {
    assumeThat(CliRun.isRoot()).as("root reads files whatever their mode").isFalse();
    pair();
    write(root.resolve("c"), bytes(3000, 1));
    write(root.resolve("closed/inside"), bytes(3000, 1));
    Files.setPosixFilePermissions(root.resolve("c"), PosixFilePermissions.fromString("---------"));
    Files.setPosixFilePermissions(
        root.resolve("closed"), PosixFilePermissions.fromString("---------"));
    try {
      CliRun.Result result = dupes(root);

      assertThat(result.groups()).containsExactly(paths("a", "b"));
      assertThat(result.skipped())
          .containsExactly(
              "sluice: skipped " + root.resolve("c") + ": cannot read: permission denied",
              "sluice: skipped "
                  + root.resolve("closed")
                  + ": cannot list directory: permission denied");
      assertThat(result.exit()).isEqualTo(1);
    } finally {
      Files.setPosixFilePermissions(
          root.resolve("c"), PosixFilePermissions.fromString("rw-------"));
      Files.setPosixFilePermissions(
          root.resolve("closed"), PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void fifosAndSocketsAreReportedAndNeverOpened() throws Exception {
    pair();
    sh(root, "mkfifo fifo"); // opening it for reading would block: the timeout would fail the test
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(root.resolve("socket")));

      CliRun.Result result = dupes(root);
      CliRun.Result given = dupes(root.resolve("fifo"), root.resolve("a"), root.resolve("b"));

      assertThat(result.groups()).containsExactly(paths("a", "b"));
      assertThat(result.skipped())
          .containsExactly(
              "sluice: skipped "
                  + root.resolve("fifo")
                  + ": not a regular file (fifo): never opened",
              "sluice: skipped "
                  + root.resolve("socket")
                  + ": not a regular file (socket): never opened");
      assertThat(result.exit()).isEqualTo(1);
      assertThat(given.groups()).containsExactly(paths("a", "b"));
      assertThat(given.skipped())
          .containsExactly(
              "sluice: skipped "
                  + root.resolve("fifo")
                  + ": not a regular file (fifo): never opened");
    }
  }

  @Test
  void devicesAreReportedAndNeverOpened() {
    Path device = Path.of("/dev/null");
    assumeThat(Files.exists(device)).isTrue();

    CliRun.Result result = dupes(device);

    assertThat(result.skipped())
        .containsExactly(
            "sluice: skipped /dev/null: not a regular file (character device): never opened");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void namesThatAreNotUtf8AreWrittenAsTheirBytes() throws Exception {
    sh(root, "printf same > \"$(printf 'bad\\377name')\" && printf same > good");

    CliRun.Result result = dupes(root);

    byte[] expected =
        concat(
            (root + "/bad").getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff},
            ("name\n" + root + "/good\n\n").getBytes(StandardCharsets.UTF_8));
    assertThat(result.stdoutBytes()).isEqualTo(expected);
    assertThat(result.exit()).isZero();
  }

  @Test
  void pathsTooLongForTheSystemAreReportedAndTheRestScanned() throws Exception {
    pair();
    String name = "d".repeat(200);
    try {
      // 25 levels of 201 bytes: past PATH_MAX (4096); made with relative paths, as Java cannot.
      sh(
          root,
          "i=0; while [ $i -lt 25 ]; do mkdir "
              + name
              + " && cd -P "
              + name
              + " || exit 1; i=$((i+1)); done; printf x > f1; printf x > f2");
      CliRun.Result result = dupes(root);

      assertThat(result.groups()).containsExactly(paths("a", "b"));
      assertThat(result.skipped()).hasSize(1);
      assertThat(result.skipped().get(0))
          .startsWith("sluice: skipped " + root.resolve(name))
          .endsWith(": cannot list directory: file name too long");
      assertThat(result.exit()).isEqualTo(1);
    } finally {
      sh(root, "rm -rf " + name); // rm walks relative to each directory; JUnit's cleanup cannot
    }
  }

  @Test
  void aFileThatChangedSizeSinceTheWalkIsReported() throws IOException {
    Path file = write(root.resolve("grown"), bytes(5000, 1));
    Path big = write(root.resolve("big"), bytes(50_000, 1));
    Object key = Files.readAttributes(file, "unix:ino").get("ino");
    ContentHasher hasher = new ContentHasher(HashKind.XXH3, opener());

    assertThat(failure(() -> hasher.partial(new FileEntry(file, 4000, key, false))))
        .isEqualTo("changed size during the scan (listed with 4000 bytes, now larger)");
    assertThat(failure(() -> hasher.partial(new FileEntry(file, 6000, key, false))))
        .isEqualTo("changed size during the scan (listed with 6000 bytes, now smaller)");
    assertThat(failure(() -> hasher.partial(new FileEntry(big, 60_000, key, false))))
        .isEqualTo("changed size during the scan (listed with 60000 bytes, now smaller)");
    Hashed partial = hasher.partial(new FileEntry(big, 50_000, key, false));
    Hashed shrunk = new Hashed(new FileEntry(big, 50_001, key, false), partial.partial(), null);
    assertThat(failure(() -> hasher.full(shrunk)))
        .isEqualTo("changed size during the scan (listed with 50001 bytes, now smaller)");
    Hashed grown = new Hashed(new FileEntry(big, 49_999, key, false), partial.partial(), null);
    assertThat(failure(() -> hasher.full(grown)))
        .isEqualTo("changed size during the scan (listed with 49999 bytes, now larger)");
  }

  @Test
  void aFileThatVanishedSinceTheWalkIsReported() throws IOException {
    Path file = write(root.resolve("gone"), bytes(5000, 1));
    Object key = Files.readAttributes(file, "unix:ino").get("ino");
    Files.delete(file);
    ContentHasher hasher = new ContentHasher(HashKind.XXH3, opener());

    assertThat(failure(() -> hasher.partial(new FileEntry(file, 5000, key, false))))
        .isEqualTo("vanished during the scan");
  }

  @Test
  void aFileReplacedByALinkIsNotFollowed() throws IOException {
    Path target = write(root.resolve("target"), bytes(5000, 1));
    Path file = Files.createSymbolicLink(root.resolve("file"), target);
    Problems problems = new Problems();
    ContentHasher hasher = new ContentHasher(HashKind.XXH3, opener());
    FileEntry entry = new FileEntry(file, 5000, "key", false);
    try {
      hasher.partial(entry);
    } catch (IOException e) {
      problems.failed(new dev.sluice.FailedItem(entry, "partial", e, 1));
    }

    assertThat(problems.sorted())
        .extracting(Problems.Problem::reason)
        .containsExactly("replaced by a symbolic link during the scan: not followed");
  }

  private static final String REPLACED = "replaced by a fifo during the scan: not read";

  @Test
  void aFileReplacedByAFifoIsReportedWithoutWaitingForAWriter() throws Exception {
    sh(root, "mkfifo small large");
    // As the walk listed them, before the swap:
    FileEntry small = new FileEntry(root.resolve("small"), 5000, "k1", false);
    FileEntry large = new FileEntry(root.resolve("large"), 50_000, "k2", false);
    FileEntry other =
        new FileEntry(write(root.resolve("other"), bytes(50_000, 1)), 50_000, "k3", false);
    ContentHasher hasher = new ContentHasher(HashKind.XXH3, opener());

    // No writer: each open waits until the watcher ends it; the first read then fails.
    assertThat(failureWithin(small.path(), () -> hasher.partial(small))).isEqualTo(REPLACED);
    assertEveryReadReportsReplaced(large, other);
    // A writer that holds the FIFO open and writes nothing: the open returns at once, and a read
    // that is not positional would wait for data forever.
    FileChannel writer =
        FileChannel.open(large.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      assertEveryReadReportsReplaced(large, other);
    } finally {
      writer.close();
    }
    Problems problems = new Problems();
    try {
      hasher.partial(large);
    } catch (IOException e) {
      problems.failed(new dev.sluice.FailedItem(large, "partial", e, 1));
    }
    assertThat(problems.sorted()).extracting(Problems.Problem::reason).containsExactly(REPLACED);
  }

  @Test
  void aDirectoryReplacedByAFifoOrAFileIsReportedWithoutWaitingForAWriter() throws Exception {
    sh(root, "mkfifo was-a-directory");
    write(root.resolve("was-also-one"), bytes(10, 1));
    Problems problems = new Problems();
    Walker walker = walker(false);
    Expansion<Walker.Item, FileEntry> nowhere =
        new Expansion<>() {
          @Override
          public void emit(FileEntry item) {
            throw new AssertionError("emitted " + item);
          }

          @Override
          public void followUp(Walker.Item item) {
            throw new AssertionError("followed up " + item);
          }
        };
    // As the walk found them, before the swaps: no writer, so the open of the FIFO waits until
    // the watcher ends it.
    Walker.Dir fifo = new Walker.Dir(root.resolve("was-a-directory"), "k1", null, root);
    Walker.Dir file = new Walker.Dir(root.resolve("was-also-one"), "k2", null, root);

    assertThat(failureWithin(fifo.path(), () -> listed(walker, fifo, nowhere)))
        .isEqualTo("replaced by a fifo during the scan: not listed");
    assertThat(failure(() -> listed(walker, file, nowhere)))
        .isEqualTo("replaced by a regular file during the scan: not listed");
    try {
      walker.expand(fifo, nowhere);
    } catch (IOException e) {
      problems.failed(new dev.sluice.FailedItem(fifo, "walk", e, 1));
    }
    assertThat(problems.sorted())
        .extracting(Problems.Problem::reason)
        .containsExactly("replaced by a fifo during the scan: not listed");
  }

  @Test
  void aDirectoryReplacedByALinkIsNotFollowedUnlessLinksAre() throws Exception {
    Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
    write(elsewhere.resolve("file"), bytes(10, 1));
    Object key = Files.readAttributes(elsewhere, "unix:ino").get("ino"); // not a file key
    Path link = Files.createSymbolicLink(root.resolve("was-a-directory"), elsewhere);
    // As the walk found it, before the swap: a directory of another file key.
    Walker.Dir dir = new Walker.Dir(link, key, null, root);
    List<FileEntry> emitted = new java.util.ArrayList<>();
    Expansion<Walker.Item, FileEntry> collect =
        new Expansion<>() {
          @Override
          public void emit(FileEntry item) {
            emitted.add(item);
          }

          @Override
          public void followUp(Walker.Item item) {
            throw new AssertionError("followed up " + item);
          }
        };

    assertThat(failure(() -> listed(walker(false), dir, collect)))
        .isEqualTo("replaced by a symbolic link during the scan: not followed");
    assertThat(emitted).isEmpty();
    listed(walker(true), dir, collect);
    assertThat(emitted).extracting(FileEntry::path).containsExactly(link.resolve("file"));
  }

  private Walker walker(boolean followLinks) {
    DupesOptions options =
        new DupesOptions(
            List.of(root),
            followLinks,
            false,
            false,
            0,
            List.of(),
            HashKind.XXH3,
            false,
            false,
            4,
            2);
    return new Walker(options, new Problems(), new Walker.Counts(), opener());
  }

  private static Object listed(Walker walker, Walker.Dir dir, Expansion<Walker.Item, FileEntry> out)
      throws IOException {
    try {
      walker.expand(dir, out);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return dir;
  }

  /**
   * Before the watcher starts, the FIFO the open waits on is replaced: by another FIFO (the watcher
   * ends the opens of that one, not of the first), or by a file (then only the kernel's word, that
   * a thread waits on a FIFO, tells the open waits on one).
   */
  @ParameterizedTest
  @ValueSource(strings = {"mkfifo fifo", "printf x > fifo"})
  void anOpenThatTheWatcherCannotEndIsAbandonedAndTheRestOfTheScanFinishes(String replace)
      throws Exception {
    List<FileEntry> entries = listed(20, "fifo");
    Path fifo = entries.get(0).path();
    List<Path> opened = Collections.synchronizedList(new ArrayList<>());
    Opener late = Opener.unstarted(LOOK);
    PipelineHandle<Void> handle = opening(late, entries, 2, opened).start();
    try {
      awaitOpensWaitingOnFifos(1);
      sh(root, "mv fifo fifo-waited-on && " + replace);
      late.startWatcher();

      Dupes.Finished finished = Dupes.finish(handle, late, LOOK, LONG);

      assertThat(finished.unprocessed()).isZero();
      assertThat(finished.stats().state()).isEqualTo(PipelineStats.State.RUNNING); // it waits on
      assertThat(late.abandoned()).containsExactly(entries.get(0));
      assertThat(opened).hasSize(20).doesNotContain(fifo);
    } finally {
      release(root.resolve("fifo-waited-on"));
      awaitEnd(handle);
      late.close();
    }
  }

  @Test
  void aScanWhoseEveryWorkerWaitsOnAnOpenThatCannotEndStopsAndSaysWhatIsLeft() throws Exception {
    List<FileEntry> entries = listed(5, "a", "b");
    List<Path> opened = Collections.synchronizedList(new ArrayList<>());
    Opener late = Opener.unstarted(LOOK);
    PipelineHandle<Void> handle = opening(late, entries, 2, opened).start();
    try {
      awaitOpensWaitingOnFifos(2);
      sh(root, "mv a a-waited-on && mv b b-waited-on && mkfifo a b");
      late.startWatcher();

      Dupes.Finished finished = Dupes.finish(handle, late, LOOK, Duration.ofSeconds(1));

      assertThat(finished.unprocessed()).isEqualTo(5);
      assertThat(finished.stats().state()).isEqualTo(PipelineStats.State.RUNNING);
      assertThat(late.abandoned()).containsExactly(entries.get(0), entries.get(1));
      assertThat(opened).isEmpty();
    } finally {
      release(root.resolve("a-waited-on"));
      release(root.resolve("b-waited-on"));
      awaitEnd(handle);
      late.close();
    }
  }

  /**
   * Entries as the walk listed them: the FIFOs named (regular files then), then {@code files} small
   * files.
   */
  private List<FileEntry> listed(int files, String... fifos) throws Exception {
    List<FileEntry> entries = new ArrayList<>();
    for (String fifo : fifos) {
      sh(root, "mkfifo " + fifo);
      entries.add(new FileEntry(root.resolve(fifo), 5000, "k" + fifo, false));
    }
    for (int i = 1; i <= files; i++) {
      entries.add(new FileEntry(write(root.resolve("f" + i), bytes(10, i)), 10, "k" + i, false));
    }
    return entries;
  }

  /** Longer than the test could take: a stall must not be what ends it. */
  private static final Duration LONG = Duration.ofMinutes(5);

  /**
   * The period of the watcher of the tests that swap a FIFO while an open waits on it (the watcher
   * starts after the swap), and of {@link Dupes#finish}'s looks.
   */
  private static final Duration LOOK = Duration.ofMillis(20);

  /** A pipeline that opens each entry through {@code opener}, on platform threads, and notes it. */
  private static RunnablePipeline<Void> opening(
      Opener opener, List<FileEntry> entries, int workers, List<Path> opened) {
    return Pipeline.from(entries)
        .map(
            "open",
            Stage.workers(workers).platformThreads(),
            entry -> {
              opener.open(entry).close();
              return entry.path();
            })
        .forEach("note", Stage.workers(1), opened::add);
  }

  /** Waits for a pipeline given up on to end, once its opens were released: at most 10 s. */
  private static void awaitEnd(PipelineHandle<Void> handle) throws Exception {
    try {
      handle.await(Duration.ofSeconds(10));
    } catch (java.util.concurrent.CancellationException e) {
      // as it should: finish cancelled it
    }
  }

  /**
   * Waits until {@code count} of this JVM's threads wait in the kernel for a FIFO's writer (their
   * {@code wchan}), at most 10 s.
   */
  private static void awaitOpensWaitingOnFifos(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int waiting = 0;
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          try {
            if (Files.readString(task.resolve("wchan")).equals("wait_for_partner")) {
              waiting++;
            }
          } catch (IOException e) {
            // the thread ended meanwhile
          }
        }
      }
      if (waiting >= count) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(waiting + " of " + count + " opens wait on a FIFO after 10 s");
      }
      Thread.sleep(10); // polling the kernel's state: nothing to wait on
    }
  }

  /** Ends an open waiting on {@code fifo}, by opening it for writing too. */
  private static void release(Path fifo) throws IOException {
    FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
  }

  /** The partial, full and verify reads that meet {@code fifo} each report it replaced. */
  private void assertEveryReadReportsReplaced(FileEntry fifo, FileEntry regular) throws Exception {
    ContentHasher hasher = new ContentHasher(HashKind.XXH3, opener());
    Hashed partial = hasher.partial(regular);
    Verifier verifier = new Verifier(new Problems(), opener());
    List<Failing> reads =
        List.of(
            () -> hasher.partial(fifo),
            () -> hasher.full(new Hashed(fifo, partial.partial(), null)),
            () -> verifier.same(regular, fifo),
            () -> verifier.same(fifo, regular));
    for (Failing read : reads) {
      assertThat(failureWithin(fifo.path(), read)).isEqualTo(REPLACED);
    }
  }

  @Test
  void theOpenWatcherEndsWithItsOpener() {
    Opener one = opener();
    Opener another = Opener.start();
    assertThat(watchers()).hasSize(2);
    another.close();
    one.close();

    assertThat(watchers()).isEmpty();
  }

  private static List<Thread> watchers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("sluice-open-watch") && t.isAlive())
        .toList();
  }

  /**
   * The reason {@code action} failed with, which it must do within 10 s. If it waits longer, the
   * FIFO is opened for writing here, which ends the wait, and the test fails.
   */
  private static String failureWithin(Path fifo, Failing action) throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<String> reason =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return failure(action);
                } catch (AssertionError e) {
                  return e.getMessage();
                }
              },
              executor);
      try {
        return reason.get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        throw new AssertionError("still waiting after 10 s", e);
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    } finally {
      executor.shutdownNow();
    }
  }

  interface Failing {
    Object run() throws IOException;
  }

  private static String failure(Failing action) {
    try {
      action.run();
      throw new AssertionError("no failure");
    } catch (IOException e) {
      return Problems.reason(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
