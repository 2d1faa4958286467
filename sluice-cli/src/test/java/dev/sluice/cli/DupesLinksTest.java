package dev.sluice.cli;

import static dev.sluice.cli.CliRun.bytes;
import static dev.sluice.cli.CliRun.dupes;
import static dev.sluice.cli.CliRun.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hard links, symbolic links, link loops and roots that overlap. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DupesLinksTest {

  @TempDir Path root;

  private List<String> paths(String... names) {
    return Arrays.stream(names).map(name -> root.resolve(name).toString()).toList();
  }

  @Test
  void hardLinksCountOnceAndAreListedWithHardlinks() throws IOException {
    write(root.resolve("a"), bytes(5000, 1));
    Files.createLink(root.resolve("a-link"), root.resolve("a"));
    write(root.resolve("b"), bytes(5000, 1));
    write(root.resolve("c"), bytes(7000, 2)); // no copy, two names
    Files.createLink(root.resolve("c-link"), root.resolve("c"));

    CliRun.Result plain = dupes(root);
    CliRun.Result listed = dupes("--hardlinks", root);

    assertThat(plain.groups()).containsExactly(paths("a", "b"));
    assertThat(plain.summary()).contains("1 group, 1 duplicate file, 4.9 KiB reclaimable");
    assertThat(listed.groups()).containsExactly(paths("c", "c-link"), paths("a", "a-link", "b"));
    assertThat(listed.summary()).contains("2 groups, 1 duplicate file, 4.9 KiB reclaimable");
    assertThat(listed.exit()).isZero();
  }

  @Test
  void twoNamesOfOneFileAreNoDuplicates() throws IOException {
    write(root.resolve("a"), bytes(5000, 1));
    Files.createLink(root.resolve("b"), root.resolve("a"));

    assertThat(dupes(root).groups()).isEmpty();
  }

  @Test
  void symbolicLinksAreNotFollowedByDefault() throws IOException {
    write(root.resolve("real/f"), bytes(3000, 3));
    write(root.resolve("g"), bytes(3000, 3));
    Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
    Files.createSymbolicLink(root.resolve("flink"), root.resolve("real/f"));
    Files.createSymbolicLink(root.resolve("broken"), root.resolve("nowhere"));

    CliRun.Result result = dupes(root);

    assertThat(result.groups()).containsExactly(paths("g", "real/f"));
    assertThat(result.skipped()).isEmpty();
    assertThat(result.exit()).isZero();
  }

  @Test
  void followLinksReachesEachFileOnceAndReportsBrokenLinks() throws IOException {
    write(root.resolve("real/f"), bytes(3000, 3));
    write(root.resolve("g"), bytes(3000, 3));
    Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
    Files.createSymbolicLink(root.resolve("flink"), root.resolve("real/f"));
    Files.createSymbolicLink(root.resolve("broken"), root.resolve("nowhere"));

    CliRun.Result result = dupes("--follow-links", root);
    CliRun.Result all = dupes("--follow-links", "--hardlinks", root);

    // real/f, link/f and flink are one file, shown by its first path in byte order
    assertThat(result.groups()).containsExactly(paths("flink", "g"));
    assertThat(all.groups()).containsExactly(paths("flink", "g", "link/f", "real/f"));
    assertThat(result.skipped())
        .containsExactly("sluice: skipped " + root.resolve("broken") + ": broken symbolic link");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void followLinksDetectsLoopsAndReportsEachOnce() throws IOException {
    write(root.resolve("d/sub/f"), bytes(100, 4));
    write(root.resolve("d/f"), bytes(100, 4));
    Files.createSymbolicLink(root.resolve("d/sub/up"), Path.of(".."));
    Files.createSymbolicLink(root.resolve("self"), Path.of("self"));

    CliRun.Result result = dupes("--follow-links", root);

    assertThat(result.groups()).containsExactly(paths("d/f", "d/sub/f"));
    assertThat(result.skipped())
        .containsExactly(
            "sluice: skipped "
                + root.resolve("d/sub/up")
                + ": symbolic link loop: leads back to "
                + root.resolve("d"),
            "sluice: skipped "
                + root.resolve("self")
                + ": symbolic link loop (too many levels of symbolic links)");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void aRootGivenAsASymbolicLinkIsFollowed() throws IOException {
    write(root.resolve("real/f"), bytes(3000, 3));
    write(root.resolve("real/g"), bytes(3000, 3));
    Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));

    assertThat(dupes(root.resolve("link")).groups()).containsExactly(paths("link/f", "link/g"));
  }

  @Test
  void aPathGivenTwiceIsScannedOnceAndReported() throws IOException {
    write(root.resolve("d/a"), bytes(3000, 3));
    write(root.resolve("d/b"), bytes(3000, 3));
    write(root.resolve("solo"), bytes(4000, 5));

    CliRun.Result result =
        dupes(root.resolve("d"), root.resolve("d"), root.resolve("solo"), root.resolve("solo"));

    assertThat(result.groups()).containsExactly(paths("d/a", "d/b"));
    assertThat(result.skipped())
        .containsExactly(
            "sluice: skipped "
                + root.resolve("d")
                + ": given twice (also as "
                + root.resolve("d")
                + "): scanned once",
            "sluice: skipped "
                + root.resolve("solo")
                + ": given twice (also as "
                + root.resolve("solo")
                + "): scanned once");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void aRootInsideAnotherIsScannedOnceAsPartOfIt() throws IOException {
    write(root.resolve("d/sub/a"), bytes(3000, 3));
    write(root.resolve("d/b"), bytes(3000, 3));

    CliRun.Result result = dupes(root.resolve("d/sub"), root.resolve("d"), root.resolve("d/b"));

    assertThat(result.groups()).containsExactly(paths("d/b", "d/sub/a"));
    assertThat(result.skipped())
        .containsExactly(
            "sluice: skipped "
                + root.resolve("d/b")
                + ": inside "
                + root.resolve("d")
                + ", also given: scanned once, as part of it",
            "sluice: skipped "
                + root.resolve("d/sub")
                + ": inside "
                + root.resolve("d")
                + ", also given: scanned once, as part of it");
  }
}
