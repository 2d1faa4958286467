package dev.sluice.cli;

import static dev.sluice.cli.CliRun.bytes;
import static dev.sluice.cli.CliRun.run;
import static dev.sluice.cli.CliRun.runToAFullDisk;
import static dev.sluice.cli.CliRun.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, version, usage errors, progress, timeline; and the hashes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTest {

  @TempDir Path root;

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    CliRun.Result result = run("--help");

    assertThat(result.exit()).isZero();
    assertThat(result.stdout())
        .startsWith("Usage: sluice [-hV] COMMAND")
        .contains("dupes", "examples", "Exit codes:", "1   some paths were skipped");
  }

  @Test
  void dupesHelpDescribesEveryOptionAndTheExitCodes() {
    CliRun.Result result = run("dupes", "--help");

    assertThat(result.exit()).isZero();
    assertThat(result.stdout())
        .startsWith("Usage: sluice dupes")
        .contains(
            "--follow-links",
            "--hidden",
            "--include-empty",
            "--min-size",
            "--exclude",
            "--hash",
            "--verify",
            "--hardlinks",
            "--format",
            "--print-null",
            "--threads-io",
            "--threads-cpu",
            "--[no-]progress",
            "--timeline",
            "0   success",
            "1   some paths were skipped",
            "2   usage error");
  }

  @Test
  void versionIsTheMavenProjectVersion() {
    CliRun.Result result = run("--version");

    assertThat(result.exit()).isZero();
    assertThat(result.stdout()).matches("(?s)sluice \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nJVM: .*\n");
    assertThat(run("dupes", "--version").stdout()).isEqualTo(result.stdout());
  }

  @Test
  void usageErrorsExitWithTwoAndSayWhatIsWrong() {
    assertThat(run().exit()).isEqualTo(2);
    assertThat(run().stderr()).contains("missing command: dupes or examples");
    CliRun.Result noPath = run("dupes");
    assertThat(noPath.exit()).isEqualTo(2);
    assertThat(noPath.stderr()).contains("Missing required parameter: 'PATH'");
    CliRun.Result badOption = run("dupes", "--frobnicate", ".");
    assertThat(badOption.exit()).isEqualTo(2);
    assertThat(badOption.stderr()).contains("Unknown option: '--frobnicate'");
    CliRun.Result badThreads = run("dupes", "--threads-io", "0", ".");
    assertThat(badThreads.exit()).isEqualTo(2);
    assertThat(badThreads.stderr()).contains("--threads-io must be >= 1: 0");
    CliRun.Result badHash = run("dupes", "--hash", "md5", ".");
    assertThat(badHash.exit()).isEqualTo(2);
    assertThat(badHash.stderr()).contains("ALGORITHM must be xxh3 or sha256: 'md5'");
    CliRun.Result nullJson = run("dupes", "-0", "--format", "json", ".");
    assertThat(nullJson.exit()).isEqualTo(2);
    assertThat(nullJson.stderr())
        .contains("--print-null goes with the text format only, not --format json");
    CliRun.Result badSize = run("dupes", "--min-size", "lots", ".");
    assertThat(badSize.exit()).isEqualTo(2);
    assertThat(badSize.stderr())
        .contains("SIZE must be a number of bytes, with an optional k, M or G: 'lots'");
  }

  @Test
  void examplesRunsTheNamedOnesAndReportsAnUnknownNameWithExitCodeTwo() {
    CliRun.Result one = run("examples", "closable-queue");
    assertThat(one.exit()).isZero();
    assertThat(one.stdout()).contains("closable-queue").contains("ChannelClosedException");

    CliRun.Result unknown = run("examples", "closable-queue", "nope");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("unknown example: 'nope'", "closable-queue");
    assertThat(unknown.stdout()).isEmpty(); // nothing ran

    CliRun.Result help = run("help", "examples");
    assertThat(help.exit()).isZero();
    assertThat(help.stdout()).startsWith("Usage: sluice examples [-hV] [NAME...]");
    CliRun.Result badHelp = run("help", "nope");
    assertThat(badHelp.exit()).isEqualTo(2);
    assertThat(badHelp.stderr()).contains("Unknown subcommand 'nope'.", "Usage: sluice");
  }

  @Test
  void sizesTakeBinarySuffixes() {
    DupesCommand.SizeConverter sizes = new DupesCommand.SizeConverter();

    assertThat(sizes.convert("100")).isEqualTo(100);
    assertThat(sizes.convert("4k")).isEqualTo(4096);
    assertThat(sizes.convert("2M")).isEqualTo(2L << 20);
    assertThat(sizes.convert("1G")).isEqualTo(1L << 30);
    assertThat(sizes.convert("3KB")).isEqualTo(3072);
  }

  @Test
  void progressOnAPipeIsPlainLinesWithoutControlCodes() throws IOException {
    write(root.resolve("a"), bytes(3000, 1));
    write(root.resolve("b"), bytes(3000, 1));

    CliRun.Result result = run("dupes", "--progress", root.toString());

    assertThat(result.exit()).isZero();
    assertThat(result.stderr()).doesNotContain("\u001b").contains("walk", "partial", "full");
  }

  @Test
  void timelineIsWrittenAsSvg() throws IOException {
    write(root.resolve("a"), bytes(3000, 1));
    write(root.resolve("b"), bytes(3000, 1));
    Path svg = root.resolve("out/timeline.svg");
    Files.createDirectories(svg.getParent());

    CliRun.Result result =
        run("dupes", "--no-progress", "--timeline", svg.toString(), root.toString());

    assertThat(result.exit()).isZero();
    assertThat(Files.readString(svg))
        .contains("<svg", "walk", "by-size", "partial", "by-partial", "full", "collect")
        .containsPattern("</svg>\\s*$");
  }

  @Test
  void aTimelineThatCannotBeWrittenIsReportedWithExitCodeFour() throws IOException {
    Path a = write(root.resolve("a"), bytes(3000, 1));
    Path b = write(root.resolve("b"), bytes(3000, 1));
    Path svg = root.resolve("missing/timeline.svg");

    CliRun.Result result =
        run("dupes", "--no-progress", "--timeline", svg.toString(), root.toString());

    assertThat(result.exit()).as("an output that was asked for is missing").isEqualTo(4);
    assertThat(result.stderr())
        .contains("sluice: cannot write the timeline to " + svg + ": no such directory");
    assertThat(result.stdout()).as("the results still come").isEqualTo(a + "\n" + b + "\n\n");
  }

  @Test
  void pathsSizesAndTheTimelineParseWithPicocliLookupsSwitchedOffAsInMain() throws IOException {
    Path a = write(root.resolve("a"), bytes(3000, 1));
    Path b = write(root.resolve("b"), bytes(3000, 1));
    write(root.resolve("c"), bytes(10, 2));
    write(root.resolve("d"), bytes(10, 2)); // below --min-size
    Path svg = root.resolve("timeline.svg");
    Properties saved = (Properties) System.getProperties().clone();
    try {
      SluiceCli.skipUnusedPicocliLookups();
      CliRun.Result result =
          run(
              "dupes",
              "--no-progress",
              "--min-size",
              "1k",
              "--timeline",
              svg.toString(),
              root.toString());

      assertThat(result.exit()).isZero();
      assertThat(result.groups()).containsExactly(List.of(a.toString(), b.toString()));
      assertThat(Files.readString(svg)).contains("<svg");
    } finally {
      System.setProperties(saved);
    }
  }

  @Test
  void resultsThatCannotBeWrittenAreReportedWithExitCodeFour() throws IOException {
    write(root.resolve("a"), bytes(3000, 1));
    write(root.resolve("b"), bytes(3000, 1));

    CliRun.Result result = runToAFullDisk("dupes", "--no-progress", root.toString());

    assertThat(result.exit()).isEqualTo(4);
    assertThat(result.stderr())
        .contains("sluice: cannot write the results to stdout")
        .contains("1 group, 1 duplicate file"); // the summary still comes
    assertThat(run("dupes", "--no-progress", root.toString()).exit()).isZero(); // same tree
  }

  @Test
  void examplesWhoseOutputCannotBeWrittenExitWithFour() {
    CliRun.Result result = runToAFullDisk("examples", "closable-queue");

    assertThat(result.exit()).isEqualTo(4);
    assertThat(result.stderr()).contains("sluice: cannot write the examples' output to stdout");
    assertThat(run("examples", "closable-queue").exit()).isZero();
  }

  @Test
  void theFullHashIsXxh3Of128BitsOrSha256OfTheWholeContent() throws Exception {
    for (int size : new int[] {1, 8192, 8193, 100_000, 3 * 1024 * 1024 + 5}) {
      byte[] content = bytes(size, size);
      Path file = write(root.resolve("f" + size), content);
      FileEntry entry = new FileEntry(file, size, "key", false);

      Hashed xxh3;
      Hashed sha256;
      try (Opener opener = Opener.start()) {
        ContentHasher xxh3Hasher = new ContentHasher(HashKind.XXH3, opener);
        ContentHasher sha256Hasher = new ContentHasher(HashKind.SHA256, opener);
        xxh3 = xxh3Hasher.full(xxh3Hasher.partial(entry));
        sha256 = sha256Hasher.full(sha256Hasher.partial(entry));
      }

      assertThat(xxh3.full().hex())
          .isEqualTo(
              HexFormat.of()
                  .formatHex(Hashing.xxh3_128().hashBytesTo128Bits(content).toByteArray()));
      assertThat(sha256.full().hex())
          .isEqualTo(
              HexFormat.of()
                  .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content)));
    }
  }
}
