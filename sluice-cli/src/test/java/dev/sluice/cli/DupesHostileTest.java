package dev.sluice.cli;

import static dev.sluice.cli.CliRun.bytes;
import static dev.sluice.cli.CliRun.dupes;
import static dev.sluice.cli.CliRun.sh;
import static dev.sluice.cli.CliRun.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input: missing paths, unreadable entries, special files, odd names, files that change.
 * Each is reported once on stderr with its path and reason, the scan goes on, and the exit code is
 * 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DupesHostileTest {

  @TempDir Path root;

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
    ContentHasher hasher = new ContentHasher(HashKind.XXH3);

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
    ContentHasher hasher = new ContentHasher(HashKind.XXH3);

    assertThat(failure(() -> hasher.partial(new FileEntry(file, 5000, key, false))))
        .isEqualTo("vanished during the scan");
  }

  @Test
  void aFileReplacedByALinkIsNotFollowed() throws IOException {
    Path target = write(root.resolve("target"), bytes(5000, 1));
    Path file = Files.createSymbolicLink(root.resolve("file"), target);
    Problems problems = new Problems();
    ContentHasher hasher = new ContentHasher(HashKind.XXH3);
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
