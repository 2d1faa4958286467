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
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice dupes} on a generated tree with known groups: what is grouped and what is not. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DupesGroupsTest {

  @TempDir Path root;

  private static final int BIG = 3 * 1024 * 1024 + 17;

  @BeforeEach
  void tree() throws IOException {
    write(root.resolve("s1/one.bin"), new byte[] {'a'});
    write(root.resolve("s2/one.bin"), new byte[] {'a'});
    write(root.resolve("a4095"), bytes(4095, 1));
    write(root.resolve("b4095"), bytes(4095, 1));
    write(root.resolve("c4095"), bytes(4095, 2)); // same size, other content
    write(root.resolve("d4096a"), bytes(4096, 3));
    write(root.resolve("d4096b"), bytes(4096, 3));
    write(root.resolve("e8192"), bytes(8192, 4)); // read whole by the partial stage
    write(root.resolve("f8192"), bytes(8192, 4));
    write(root.resolve("g8192"), bytes(8192, 5));
    write(root.resolve("h8193a"), bytes(8193, 6)); // the first size hashed in part
    write(root.resolve("h8193b"), bytes(8193, 6));
    byte[] middle = bytes(100_000, 7);
    write(root.resolve("m1"), middle);
    write(root.resolve("m3"), middle);
    byte[] otherMiddle = middle.clone();
    otherMiddle[50_000] ^= 1; // same first and last 4 KiB: only the full hash tells
    write(root.resolve("m2"), otherMiddle);
    byte[] prefix = bytes(20_000, 8);
    write(root.resolve("p1"), prefix);
    byte[] otherTail = prefix.clone();
    otherTail[otherTail.length - 1] ^= 1; // same prefix, other tail: the partial hash tells
    write(root.resolve("p2"), otherTail);
    byte[] big = bytes(BIG, 9);
    write(root.resolve("big1"), big);
    write(root.resolve("big2"), big);
    write(root.resolve("deep/x/y/big3"), big);
    write(root.resolve("u12345"), bytes(12_345, 10)); // a size of its own
    write(root.resolve("empty1"), new byte[0]);
    write(root.resolve("empty2"), new byte[0]);
  }

  private List<String> paths(String... names) {
    return Arrays.stream(names).map(name -> root.resolve(name).toString()).toList();
  }

  @Test
  void findsExactlyTheGroupsOfEqualContentLargestFirst() {
    CliRun.Result result = dupes(root);

    assertThat(result.groups())
        .containsExactly(
            paths("big1", "big2", "deep/x/y/big3"),
            paths("m1", "m3"),
            paths("h8193a", "h8193b"),
            paths("e8192", "f8192"),
            paths("d4096a", "d4096b"),
            paths("a4095", "b4095"),
            paths("s1/one.bin", "s2/one.bin"));
    assertThat(result.stdout()).endsWith("\n\n"); // a blank line after each group
    assertThat(result.exit()).isZero();
    assertThat(result.skipped()).isEmpty();
    long reclaimable = 2L * BIG + 100_000 + 8193 + 8192 + 4096 + 4095 + 1;
    assertThat(result.summary())
        .matches(
            "sluice: 23 files \\(.*\\) in 6 directories: 7 groups, 8 duplicate files, "
                + Pattern.quote(Output.bytes(reclaimable))
                + " reclaimable; [0-9.]+ s");
  }

  @Test
  void emptyFilesFormAGroupOnlyWithIncludeEmpty() {
    assertThat(dupes(root).stdout()).doesNotContain("empty");

    CliRun.Result result = dupes("--include-empty", root);

    assertThat(result.groups()).last().isEqualTo(paths("empty1", "empty2"));
  }

  @Test
  void sha256AndVerifyFindTheSameGroups() {
    List<List<String>> expected = dupes(root).groups();

    assertThat(dupes("--hash", "sha256", root).groups()).isEqualTo(expected);
    assertThat(dupes("--verify", root).groups()).isEqualTo(expected);
    assertThat(dupes("--hash", "sha256", "--verify", root).groups()).isEqualTo(expected);
  }

  @Test
  void oneWorkerPerStageFindsTheSameGroups() {
    List<List<String>> expected = dupes(root).groups();

    assertThat(dupes("--threads-io", "1", "--threads-cpu", "1", root).groups()).isEqualTo(expected);
  }

  @Test
  void minSizeLeavesOutSmallerFiles() {
    CliRun.Result result = dupes("--min-size", "8k", root);

    assertThat(result.groups())
        .containsExactly(
            paths("big1", "big2", "deep/x/y/big3"),
            paths("m1", "m3"),
            paths("h8193a", "h8193b"),
            paths("e8192", "f8192"));
  }

  @Test
  void excludeMatchesNamesOrRelativePaths() {
    CliRun.Result byName = dupes("--exclude", "big*", "--exclude", "*4095", root);
    CliRun.Result byPath = dupes("--exclude", "deep/x", "--exclude", "s1/*", root);

    assertThat(byName.groups()).doesNotContain(paths("big1", "big2", "deep/x/y/big3"));
    assertThat(byName.stdout()).doesNotContain("big").doesNotContain("4095");
    assertThat(byPath.groups()).contains(paths("big1", "big2")).doesNotContain(paths("s1/one.bin"));
    assertThat(byPath.stdout()).doesNotContain("one.bin").doesNotContain("big3");
  }

  @Test
  void hiddenEntriesAreLeftOutUnlessHidden() throws IOException {
    write(root.resolve(".hidden/copy"), bytes(12_345, 10));
    write(root.resolve(".u12345"), bytes(12_345, 10));

    assertThat(dupes(root).stdout()).doesNotContain("u12345");
    assertThat(dupes("--hidden", root).groups())
        .contains(paths(".hidden/copy", ".u12345", "u12345"));
  }

  @Test
  void jsonListsGroupsSkippedPathsAndSummary() throws IOException {
    Path small = Files.createDirectory(root.resolve("small"));
    write(small.resolve("a"), new byte[] {1, 2, 3});
    write(small.resolve("b\"q"), new byte[] {1, 2, 3});

    CliRun.Result result = dupes("--format", "json", small, root.resolve("missing"));

    assertThat(result.stdout())
        .matches(
            "(?s)\\{\n  \"groups\": \\[\n"
                + "    \\{\"size\": 3, \"hash\": \"[0-9a-f]{32}\", \"files\": \\[\""
                + Pattern.quote(small.resolve("a") + "\", \"" + small + "/b\\\"q")
                + "\"\\]\\}\n  \\],\n"
                + "  \"skipped\": \\[\n    \\{\"path\": \""
                + Pattern.quote(root.resolve("missing").toString())
                + "\", \"reason\": \"no such file or directory\"\\}\n  \\],\n"
                + "  \"summary\": \\{\"files\": 2, \"directories\": 1, \"bytes\": 6, \"groups\": 1,"
                + " \"duplicateFiles\": 1, \"reclaimableBytes\": 3, \"skipped\": 1,"
                + " \"seconds\": [0-9.]+\\}\n\\}\n");
    assertThat(result.exit()).isEqualTo(1);
  }

  @Test
  void csvHasAHeaderAndARowPerPath() throws IOException {
    Path small = Files.createDirectory(root.resolve("small"));
    write(small.resolve("a"), new byte[] {1, 2, 3});
    write(small.resolve("b,c"), new byte[] {1, 2, 3});

    CliRun.Result result = dupes("--format", "csv", "--hash", "sha256", small);

    assertThat(result.stdout())
        .matches(
            "group,size,hash,path\n"
                + "1,3,[0-9a-f]{64},"
                + Pattern.quote(small.resolve("a").toString())
                + "\n1,3,[0-9a-f]{64},\""
                + Pattern.quote(small.resolve("b,c").toString())
                + "\"\n");
  }

  @Test
  void printNullEndsEachPathAndEachGroupWithANulByte() throws IOException {
    Path small = Files.createDirectory(root.resolve("small"));
    write(small.resolve("a\nb"), new byte[] {1, 2, 3}); // two lines in the text format
    write(small.resolve("c"), new byte[] {1, 2, 3});
    write(small.resolve("d"), new byte[] {4, 5});
    write(small.resolve("e"), new byte[] {4, 5});

    CliRun.Result result = dupes("-0", small);

    assertThat(result.stdout())
        .isEqualTo(
            small.resolve("a\nb")
                + "\0"
                + small.resolve("c")
                + "\0\0"
                + small.resolve("d")
                + "\0"
                + small.resolve("e")
                + "\0\0");
    assertThat(dupes("--print-null", small).stdout()).isEqualTo(result.stdout());
    assertThat(result.exit()).isZero();
  }

  @Test
  void aFileGivenAsARootIsComparedWithTheOthers() {
    CliRun.Result result = dupes(root.resolve("big1"), root.resolve("deep"));

    assertThat(result.groups()).containsExactly(paths("big1", "deep/x/y/big3"));
  }
}
