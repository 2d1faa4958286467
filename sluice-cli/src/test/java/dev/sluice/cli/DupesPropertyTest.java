package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@code sluice dupes} on random trees against a brute-force answer: every file read whole and
 * compared by content, hard links told apart by inode. The trees are made to hit each stage's
 * boundaries: sizes around the partial hash's 4 KiB ends and 8 KiB whole-read limit and the full
 * hash's 1 MiB reads (an exact multiple among them), files equal at both ends but not in the
 * middle, equal heads with other tails, hard links, symbolic links (not followed), hidden and empty
 * files.
 */
class DupesPropertyTest {

  private static final int[] SIZES = {
    0, 1, 7, 100, 4095, 4096, 4097, 8191, 8192, 8193, 8194, 12_288, 20_000
  };
  private static final int[] LARGE_SIZES = {1 << 20, (1 << 20) + 1, 2 << 20};

  /** How a file of the random tree is made. */
  private enum Make {
    NEW,
    COPY,
    HEAD_CHANGED,
    MIDDLE_CHANGED,
    TAIL_CHANGED,
    HARD_LINK,
    SYMBOLIC_LINK
  }

  @Property(tries = 100)
  void groupsAreExactlyTheFilesOfEqualContent(
      @ForAll @IntRange(min = 1, max = 40) int files,
      @ForAll boolean includeEmpty,
      @ForAll boolean hardlinks,
      @ForAll boolean verify,
      @ForAll boolean sha256,
      @ForAll long seed)
      throws Exception {
    Path root = Files.createTempDirectory("sluice-dupes-property");
    try {
      makeTree(root, files, new Random(seed));
      List<String> args = new ArrayList<>();
      if (includeEmpty) {
        args.add("--include-empty");
      }
      if (hardlinks) {
        args.add("--hardlinks");
      }
      if (verify) {
        args.add("--verify");
      }
      if (sha256) {
        args.add("--hash=sha256");
      }
      args.add(root.toString());

      CliRun.Result result = CliRun.dupes(args.toArray());

      assertThat(result.groups())
          .as("groups of %s (seed %d)", args, seed)
          .isEqualTo(expectedGroups(root, includeEmpty, hardlinks));
      assertThat(result.skipped()).isEmpty();
      assertThat(result.exit()).isZero();
    } finally {
      CliRun.sh(root.getParent(), "rm -rf '" + root.getFileName() + "'");
    }
  }

  /**
   * A tree of {@code files} entries in four directories, each made one of the {@link Make} ways.
   */
  private static void makeTree(Path root, int files, Random random) throws IOException {
    String[] dirs = {"", "a", "a/b", "c"};
    List<Path> made = new ArrayList<>(); // regular files, to copy, change or link to
    for (int i = 0; i < files; i++) {
      String name = (random.nextInt(8) == 0 ? "." : "") + "f" + i;
      Path path = root.resolve(dirs[random.nextInt(dirs.length)]).resolve(name);
      Files.createDirectories(path.getParent());
      Make make = made.isEmpty() ? Make.NEW : Make.values()[random.nextInt(Make.values().length)];
      Path source = made.isEmpty() ? null : made.get(random.nextInt(made.size()));
      switch (make) {
        case NEW -> Files.write(path, content(random));
        case COPY -> Files.copy(source, path);
        case HEAD_CHANGED, MIDDLE_CHANGED, TAIL_CHANGED -> {
          byte[] bytes = Files.readAllBytes(source);
          if (bytes.length == 0) {
            bytes = new byte[] {1};
          } else {
            int at =
                make == Make.HEAD_CHANGED
                    ? 0
                    : make == Make.TAIL_CHANGED ? bytes.length - 1 : bytes.length / 2;
            bytes[at]++;
          }
          Files.write(path, bytes);
        }
        case HARD_LINK -> Files.createLink(path, source);
        case SYMBOLIC_LINK -> Files.createSymbolicLink(path, source);
      }
      if (make != Make.SYMBOLIC_LINK) {
        made.add(path);
      }
    }
  }

  private static byte[] content(Random random) {
    int size =
        random.nextInt(20) == 0
            ? LARGE_SIZES[random.nextInt(LARGE_SIZES.length)]
            : SIZES[random.nextInt(SIZES.length)];
    return CliRun.bytes(size, random.nextLong());
  }

  /**
   * The groups sluice should print: regular files not hidden (and not empty unless {@code
   * includeEmpty}), one entry per inode, grouped by content, two inodes or more to a group; each
   * inode by its first name in byte order, or by all its names with {@code hardlinks}, which also
   * adds a group for each inode with several names and no copy. Largest files first, then by first
   * path; paths in byte order.
   */
  private static List<List<String>> expectedGroups(
      Path root, boolean includeEmpty, boolean hardlinks) throws IOException {
    Map<Object, List<String>> namesByInode = new LinkedHashMap<>();
    Map<Object, byte[]> contentByInode = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
            || path.getFileName().toString().startsWith(".")
            || (!includeEmpty && Files.size(path) == 0)) {
          continue;
        }
        Object inode = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        namesByInode.computeIfAbsent(inode, k -> new ArrayList<>()).add(path.toString());
        contentByInode.put(inode, Files.readAllBytes(path));
      }
    }
    namesByInode.values().forEach(names -> names.sort(BY_BYTES));
    Map<ByteBuffer, List<Object>> inodesByContent = new LinkedHashMap<>();
    contentByInode.forEach(
        (inode, bytes) ->
            inodesByContent
                .computeIfAbsent(ByteBuffer.wrap(bytes), k -> new ArrayList<>())
                .add(inode));

    record Expected(long size, List<String> paths) {}
    List<Expected> groups = new ArrayList<>();
    for (var same : inodesByContent.entrySet()) {
      List<Object> inodes = same.getValue();
      if (inodes.size() > 1) {
        List<String> paths = new ArrayList<>();
        for (Object inode : inodes) {
          List<String> names = namesByInode.get(inode);
          paths.addAll(hardlinks ? names : names.subList(0, 1));
        }
        paths.sort(BY_BYTES);
        groups.add(new Expected(same.getKey().capacity(), paths));
      } else if (hardlinks && namesByInode.get(inodes.get(0)).size() > 1) {
        groups.add(new Expected(same.getKey().capacity(), namesByInode.get(inodes.get(0))));
      }
    }
    groups.sort(
        Comparator.comparingLong(Expected::size)
            .reversed()
            .thenComparing(group -> group.paths().get(0), BY_BYTES));
    return groups.stream().map(Expected::paths).toList();
  }

  private static final Comparator<String> BY_BYTES =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
}
