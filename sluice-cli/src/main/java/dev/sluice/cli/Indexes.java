package dev.sluice.cli;

import dev.sluice.Emitter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** A key seen once, or twice and more (then its first file has been passed on). */
  private static final class Seen<T> {
    final T first;
    boolean passedOn;

    Seen(T first) {
      this.first = first;
    }
  }

  /**
   * The {@code by-size} stage: passes on files whose size another file has. Also the place where
   * hard links are recognised: a second path to a file already seen (same file key, so same size)
   * is recorded in {@link #links} and not passed on.
   */
  static final class BySize {
    /** Per size: the first file (most sizes are unique), or the files by key once there are two. */
    private final Map<Long, Object> bySize = new HashMap<>(1 << 16); // no resizing below ~48k

    /** Per file key with more than one path: every path, the first one seen first. */
    private final Map<Object, List<FileEntry>> links = new HashMap<>();

    void accept(FileEntry file, Emitter<FileEntry> out) throws InterruptedException {
      Object previous = bySize.putIfAbsent(file.size(), file);
      if (previous == null) {
        return;
      }
      @SuppressWarnings("unchecked")
      Map<Object, Seen<FileEntry>> files =
          previous instanceof Map<?, ?> map ? (Map<Object, Seen<FileEntry>>) map : null;
      if (files == null) {
        FileEntry first = (FileEntry) previous;
        files = new HashMap<>(4);
        files.put(first.key(), new Seen<>(first));
        bySize.put(file.size(), files);
      }
      Seen<FileEntry> same = files.get(file.key());
      if (same != null) {
        links.computeIfAbsent(file.key(), k -> new ArrayList<>(List.of(same.first))).add(file);
        return;
      }
      files.put(file.key(), new Seen<>(file));
      if (files.size() == 2) {
        for (Seen<FileEntry> seen : files.values()) {
          if (seen.first != file) {
            out.emit(seen.first);
          }
        }
      }
      out.emit(file);
    }

    /** The paths of each file that has more than one; read after the pipeline ended. */
    Map<Object, List<FileEntry>> links() {
      return links;
    }
  }

  /** The key of the {@code by-partial} stage. */
  private record PartialKey(long size, Digest partial) {}

  /** The {@code by-partial} stage: passes on files whose size and partial hash another file has. */
  static final class ByPartial {
    private final Map<PartialKey, Seen<Hashed>> seen = new HashMap<>();

    void accept(Hashed hashed, Emitter<Hashed> out) throws InterruptedException {
      PartialKey key = new PartialKey(hashed.file().size(), hashed.partial());
      Seen<Hashed> previous = seen.putIfAbsent(key, new Seen<>(hashed));
      if (previous == null) {
        return;
      }
      if (!previous.passedOn) {
        previous.passedOn = true;
        out.emit(previous.first);
      }
      out.emit(hashed);
    }
  }

  /** The key of the {@code collect} stage. */
  private record ContentKey(long size, Digest full) {}

  /** The terminal {@code collect} stage: files by size and full hash. */
  static final class ByContent {
    private final Map<ContentKey, List<FileEntry>> groups = new HashMap<>();

    void accept(Hashed hashed) {
      groups
          .computeIfAbsent(
              new ContentKey(hashed.file().size(), java.util.Objects.requireNonNull(hashed.full())),
              k -> new ArrayList<>(2))
          .add(hashed.file());
    }

    /** The groups of two files or more; read after the pipeline ended. */
    List<Group> groups() {
      List<Group> result = new ArrayList<>();
      groups.forEach(
          (key, files) -> {
            if (files.size() > 1) {
              result.add(new Group(key.size(), key.full(), files));
            }
          });
      return result;
    }
  }
}
