package dev.sluice.cli;

import dev.sluice.Emitter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The two grouping stages of {@code sluice dupes}, each run by one worker: they pass a file on as
 * soon as another file with the same key has arrived (the first one together with the second), so
 * files with a unique size, or a unique partial hash, go no further, and nothing waits for the walk
 * to end.
 *
 * <p>Thread-safety: each index is used by its stage's single worker only; the pipeline's channels
 * order every call before the next, and {@code Dupes} reads the results after {@code run()}
 * returned (its threads have ended).
 */
final class Indexes {

  private Indexes() {}

  /** The value of a key that two or more files have, once they have been passed on. */
  private static final Object MANY = new Object();

  /**
   * The {@code by-size} stage: passes on files whose size another file has. Also the place where
   * hard links are recognised: a second path to a file already seen (same file key, so same size)
   * is recorded in {@link #links} and not passed on.
   *
   * <p>Memory: one map entry per size (its first file, or {@link #MANY} once a second file of that
   * size has come), and one per file passed on (by file key, to recognise later links to it). Most
   * sizes hold one file, so most files cost a single entry.
   */
  static final class BySize {
    /**
     * Per size: its only distinct file so far, or {@link #MANY} (then they are in {@link #passed}).
     */
    private final Map<Long, Object> bySize = new HashMap<>(1 << 16); // no resizing below ~48k

    /** The files passed on, by file key. */
    private final Map<Object, FileEntry> passed = new HashMap<>(1 << 16);

    /** Per file key with more than one path: every path, the first one seen first. */
    private final Map<Object, List<FileEntry>> links = new HashMap<>();

    /**
     * {@link #links}, published again after each file (a volatile write), so that a thread that
     * reads the links while the pipeline stands still, cancelled (see {@link Dupes#finish}), sees
     * them whole.
     */
    private volatile @Nullable Map<Object, List<FileEntry>> publishedLinks;

    void accept(FileEntry file, Emitter<FileEntry> out) throws InterruptedException {
      index(file, out);
      publishedLinks = links;
    }

    private void index(FileEntry file, Emitter<FileEntry> out) throws InterruptedException {
      Object previous = bySize.putIfAbsent(file.size(), file);
      if (previous == null) {
        return;
      }
      if (previous instanceof FileEntry first) {
        if (first.key().equals(file.key())) {
          link(first, file); // still one distinct file of this size
          return;
        }
        bySize.put(file.size(), MANY);
        passed.put(first.key(), first);
        passed.put(file.key(), file);
        out.emit(first);
        out.emit(file);
        return;
      }
      FileEntry same = passed.putIfAbsent(file.key(), file);
      if (same != null) {
        link(same, file);
        return;
      }
      out.emit(file);
    }

    private void link(FileEntry first, FileEntry another) {
      links.computeIfAbsent(first.key(), k -> new ArrayList<>(List.of(first))).add(another);
    }

    /**
     * The paths of each file that has more than one; read after the pipeline ended, or once it
     * stands still with this stage idle.
     */
    Map<Object, List<FileEntry>> links() {
      Map<Object, List<FileEntry>> published = publishedLinks;
      return published != null ? published : links;
    }
  }

  /**
   * The key of the {@code by-partial} stage (size and partial hash) and of the {@code collect}
   * stage (size and full hash). Not a record: a record's {@code equals} and {@code hashCode} are
   * bootstrapped at their first call (method handles spun at run time, which no class-data archive
   * holds) and go through method handles under C1; these are plain code.
   */
  private static final class SizedDigest {
    private final long size;
    private final Digest digest;

    SizedDigest(long size, Digest digest) {
      this.size = size;
      this.digest = digest;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof SizedDigest that && size == that.size && digest.equals(that.digest);
    }

    @Override
    public int hashCode() {
      return 31 * Long.hashCode(size) + digest.hashCode();
    }
  }

  /** The {@code by-partial} stage: passes on files whose size and partial hash another file has. */
  static final class ByPartial {
    /** Per key: its first file, or {@link #MANY} once a second one has come. */
    private final Map<SizedDigest, Object> seen = new HashMap<>(1 << 16);

    void accept(Hashed hashed, Emitter<Hashed> out) throws InterruptedException {
      SizedDigest key = new SizedDigest(hashed.file().size(), hashed.partial());
      Object previous = seen.putIfAbsent(key, hashed);
      if (previous == null) {
        return;
      }
      if (previous instanceof Hashed first) {
        seen.put(key, MANY);
        out.emit(first);
      }
      out.emit(hashed);
    }
  }

  /** The terminal {@code collect} stage: files by size and full hash. */
  static final class ByContent {
    private final Map<SizedDigest, List<FileEntry>> groups = new HashMap<>();

    /** {@link #groups}, published again after each file, as {@link BySize} does its links. */
    private volatile @Nullable Map<SizedDigest, List<FileEntry>> published;

    void accept(Hashed hashed) {
      groups
          .computeIfAbsent(
              new SizedDigest(hashed.file().size(), Objects.requireNonNull(hashed.full())),
              k -> new ArrayList<>(2))
          .add(hashed.file());
      published = groups;
    }

    /**
     * The groups of two files or more; read after the pipeline ended, or once it stands still with
     * this stage idle.
     */
    List<Group> groups() {
      Map<SizedDigest, List<FileEntry>> seen = published;
      Map<SizedDigest, List<FileEntry>> all = seen != null ? seen : groups;
      List<Group> result = new ArrayList<>();
      all.forEach(
          (key, files) -> {
            if (files.size() > 1) {
              result.add(new Group(key.size, key.digest, files));
            }
          });
      return result;
    }
  }
}
