package dev.sluice.cli;

import dev.sluice.ErrorPolicy;
import dev.sluice.Pipeline;
import dev.sluice.PipelineHandle;
import dev.sluice.PipelineStats;
import dev.sluice.ProgressListener;
import dev.sluice.RunnablePipeline;
import dev.sluice.Stage;
import dev.sluice.StageStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * {@code sluice dupes}: finds files of equal content, as one pipeline with no barrier before the
 * end.
 *
 * <pre>
 *   roots ─► walk ─► by-size ─► partial ─► by-partial ─► full ─► collect
 *           (expand,  (1 worker)  (I/O)     (1 worker)    (CPU)   (1 worker)
 *            I/O)
 * </pre>
 *
 * <ul>
 *   <li>{@code walk} lists directories in parallel, each subdirectory a follow-up; it emits regular
 *       files with the size and file key read when they were listed (one stat per entry).
 *   <li>{@code by-size} passes a file on once another file of its size exists (the first one then,
 *       too), and recognises hard links: a second path to a file already seen goes no further.
 *   <li>{@code partial} hashes the first and last 4 KiB (files up to 8 KiB whole, which gives their
 *       full hash as well).
 *   <li>{@code by-partial} passes a file on once another file of its size and partial hash exists.
 *   <li>{@code full} hashes the whole content in 1 MiB reads (XXH3-128, or SHA-256).
 *   <li>{@code collect} groups by size and full hash: the one barrier, for sorted output.
 * </ul>
 *
 * With {@code --verify} a second pipeline compares the bytes of each group. Stage failures (a file
 * that cannot be read, vanished, changed size, was replaced by a FIFO) go to a dead-letter policy
 * that records them in {@link Problems}; the scan goes on. The walk opens directories and both
 * pipelines open files through one {@link Opener}, whose watcher ends an open that a FIFO put in
 * the place of a file or directory keeps waiting.
 */
final class Dupes {

  private Dupes() {}

  /**
   * One group of the output: paths sorted by their bytes.
   *
   * @param size each file's size
   * @param digest the content hash, or null for a group of hard links only
   * @param files how many distinct files (inodes) the paths name
   * @param paths the paths, sorted by their raw bytes
   * @param bytes the raw bytes of each path
   */
  record Found(
      long size, @Nullable Digest digest, int files, List<Path> paths, List<byte[]> bytes) {
    /** Bytes that deleting all but one of the files would free. */
    long reclaimable() {
      return (files - 1) * size;
    }
  }

  /**
   * What a scan found.
   *
   * @param groups the groups, largest files first, then by first path
   * @param problems what was skipped
   * @param counts what the walk saw
   * @param elapsed the scan's time
   * @param stats the main pipeline's final counters
   * @param unprocessed files and directories left behind opens that never return (see {@link
   *     #finish}); 0 when the scan finished, and then the groups are complete
   */
  record Report(
      List<Found> groups,
      Problems problems,
      Walker.Counts counts,
      Duration elapsed,
      PipelineStats stats,
      long unprocessed) {

    long duplicateFiles() {
      return groups.stream().mapToLong(g -> g.files() - 1).sum();
    }

    long reclaimableBytes() {
      return groups.stream().mapToLong(Found::reclaimable).sum();
    }
  }

  /**
   * A progress listener and the time between its snapshots.
   *
   * @param period the time between snapshots
   * @param listener the listener
   */
  record Listener(Duration period, ProgressListener listener) {}

  /**
   * Runs a scan. The listeners watch the main pipeline (not the {@code --verify} one).
   *
   * @throws InterruptedException if interrupted: the pipelines are cancelled first
   */
  static Report run(DupesOptions options, List<Listener> listeners) throws InterruptedException {
    long started = System.nanoTime();
    Problems problems = new Problems();
    Walker.Counts counts = new Walker.Counts();
    try (Opener opener = Opener.start()) { // directories and files are opened in both pipelines
      Walker walker = new Walker(options, problems, counts, opener);
      List<Walker.Item> roots = roots(options, walker, problems);
      ContentHasher hasher = new ContentHasher(options.hash(), opener);
      Indexes.BySize bySize = new Indexes.BySize();
      Indexes.ByPartial byPartial = new Indexes.ByPartial();
      Indexes.ByContent byContent = new Indexes.ByContent();
      ErrorPolicy report = ErrorPolicy.deadLetter(problems::failed);
      int io = options.ioThreads();
      int cpu = options.cpuThreads();
      RunnablePipeline<Void> pipeline =
          Pipeline.from(roots)
              .expand("walk", Stage.workers(io).onError(report), walker::expand)
              .flatMap("by-size", Stage.workers(1).capacity(1024), bySize::accept)
              .map("partial", Stage.workers(io).capacity(256).onError(report), hasher::partial)
              .flatMap("by-partial", Stage.workers(1).capacity(256), byPartial::accept)
              .map(
                  "full",
                  Stage.workers(cpu).platformThreads().capacity(64).onError(report),
                  hasher::full)
              .forEach("collect", Stage.workers(1).capacity(256), byContent::accept);
      List<Muting> muting = new ArrayList<>();
      for (Listener listener : listeners) {
        Muting one = new Muting(listener.listener());
        muting.add(one);
        pipeline = pipeline.progress(listener.period(), one);
      }
      PipelineHandle<Void> handle = pipeline.start();
      Finished main;
      try {
        main = finish(handle, opener, Opener.PERIOD, STALL_LIMIT);
      } finally {
        if (!handle.isDone()) { // given up on abandoned opens: it never ends
          PipelineStats last = handle.stats();
          muting.forEach(one -> one.finishNow(last));
        }
      }
      long unprocessed = main.unprocessed();

      List<Group> groups = byContent.groups();
      if (options.verify() && !groups.isEmpty()) {
        Verifier verifier = new Verifier(problems, opener);
        List<Group> verified = Collections.synchronizedList(new ArrayList<>());
        RunnablePipeline<Void> verify =
            Pipeline.from(groups)
                .<Group>flatMap(
                    "verify",
                    Stage.workers(io).onError(report),
                    (group, out) -> {
                      for (Group same : verifier.verify(group)) {
                        out.emit(same);
                      }
                    })
                .forEach("collect", Stage.workers(1), verified::add);
        unprocessed += finish(verify.start(), opener, Opener.PERIOD, STALL_LIMIT).unprocessed();
        groups = List.copyOf(verified);
      }
      for (Walker.Item item : opener.abandoned()) {
        problems.add(item.path(), ABANDONED);
      }
      List<Found> found = assemble(groups, bySize.links(), options.hardlinks());
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      return new Report(found, problems, counts, elapsed, main.stats(), unprocessed);
    }
  }

  /**
   * A progress listener that can be finished early: a pipeline given up on in {@link #finish} never
   * ends, and would go on reporting progress.
   */
  private static final class Muting implements ProgressListener {
    private final ProgressListener listener;
    private final ReentrantLock lock = new ReentrantLock(); // one call at a time, as before
    private boolean finished;

    Muting(ProgressListener listener) {
      this.listener = listener;
    }

    @Override
    public void onProgress(PipelineStats stats) {
      lock.lock();
      try {
        if (!finished) {
          listener.onProgress(stats);
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onFinish(PipelineStats stats) {
      finishNow(stats);
    }

    /** Passes {@code stats} on as the last snapshot, unless one was passed on already. */
    void finishNow(PipelineStats stats) {
      lock.lock();
      try {
        if (!finished) {
          finished = true;
          listener.onFinish(stats);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** The reason given for a path whose open the {@link Opener} abandoned. */
  static final String ABANDONED =
      "replaced by a fifo during the scan that sluice cannot end (it may not write to it, or it was"
          + " replaced again): its open waits for a writer; not read";

  /**
   * How long a pipeline may stand still, while abandoned opens hold up work, before the scan gives
   * up.
   */
  static final Duration STALL_LIMIT = Duration.ofSeconds(5);

  /**
   * How a pipeline ended for {@link #finish}.
   *
   * @param stats its counters when it ended, or when it was given up on
   * @param unprocessed items it left behind opens that never return, unprocessed: 0 if it ended, or
   *     if only those opens were left when it was given up on
   */
  record Finished(PipelineStats stats, long unprocessed) {}

  /**
   * Waits for a pipeline to end. An open the {@link Opener} abandoned (a FIFO nothing will write
   * to) keeps its worker forever, and a pipeline waits for its workers: so when such opens are all
   * that is left of it (nothing queued, nothing else in a worker's hands, the same counts two looks
   * in a row) this cancels the pipeline and returns, everything else done. If the pipeline instead
   * stands still for {@code stallLimit} with work left behind the stuck opens (every worker of a
   * stage stuck; or every carrier of the virtual threads, since a blocked open holds its carrier),
   * it cancels the pipeline and returns how many items were left unprocessed.
   *
   * @throws InterruptedException if interrupted: the pipeline is cancelled first
   */
  static Finished finish(
      PipelineHandle<?> handle, Opener opener, Duration period, Duration stallLimit)
      throws InterruptedException {
    Standing last = null;
    long stillSince = 0;
    try {
      while (true) {
        try {
          return new Finished(handle.await(period).stats(), 0);
        } catch (TimeoutException e) {
          int stuck = opener.abandoned().size();
          if (stuck == 0) {
            last = null;
            continue;
          }
          PipelineStats stats = handle.stats();
          Standing now = Standing.of(stats);
          long time = System.nanoTime();
          if (!now.equals(last)) {
            last = now;
            stillSince = time;
          } else if (now.queued() == 0 && now.inHand() == stuck) {
            handle.cancel(); // only the abandoned opens are left
            return new Finished(stats, 0);
          } else if (time - stillSince >= stallLimit.toNanos()) {
            handle.cancel();
            return new Finished(stats, now.inHand() + now.queued() - stuck);
          }
        }
      }
    } catch (InterruptedException e) {
      handle.cancel();
      throw e;
    }
  }

  /**
   * What {@link #finish} compares from look to look: every stage's item counters, and, summed over
   * the stages after the source, the items in their hands (taken, not yet ended) and queued.
   */
  private record Standing(List<Long> counters, long inHand, long queued) {
    static Standing of(PipelineStats stats) {
      List<Long> counters = new ArrayList<>();
      long inHand = 0;
      long queued = 0;
      List<StageStats> stages = stats.stages();
      for (int s = 0; s < stages.size(); s++) {
        StageStats stage = stages.get(s);
        long ended = stage.succeeded() + stage.filtered() + stage.failed() + stage.discarded();
        counters.addAll(List.of(stage.taken(), stage.emitted(), ended));
        if (s > 0) {
          inHand += stage.taken() - ended;
          queued += stage.queued();
        }
      }
      return new Standing(counters, inHand, queued);
    }
  }

  /** The roots to walk: checked, resolved, and each directory or file once. */
  private static List<Walker.Item> roots(DupesOptions options, Walker walker, Problems problems) {
    record Candidate(Path given, Path real, BasicFileAttributes attrs) {}
    List<Candidate> candidates = new ArrayList<>();
    for (Path root : options.roots()) {
      try {
        BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class);
        Path real = root.toRealPath();
        if (!attrs.isDirectory() && !attrs.isRegularFile()) {
          problems.add(root, "not a regular file (" + Walker.kind(real) + "): never opened");
          continue;
        }
        candidates.add(new Candidate(root, real, attrs));
      } catch (NoSuchFileException e) {
        problems.add(
            root,
            Files.isSymbolicLink(root) ? "broken symbolic link" : "no such file or directory");
      } catch (IOException e) {
        problems.add(root, Problems.reason(e));
      }
    }
    List<Walker.Item> items = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Candidate candidate = candidates.get(i);
      String covered = null;
      for (int j = 0; j < candidates.size() && covered == null; j++) {
        Candidate other = candidates.get(j);
        if (j < i && other.real().equals(candidate.real())) {
          covered = "given twice (also as " + other.given() + "): scanned once";
        } else if (other.attrs().isDirectory()
            && !other.real().equals(candidate.real())
            && candidate.real().startsWith(other.real())) {
          covered = "inside " + other.given() + ", also given: scanned once, as part of it";
        }
      }
      if (covered != null) {
        problems.add(candidate.given(), covered);
        continue;
      }
      if (candidate.attrs().isDirectory()) {
        Object key = Walker.key(candidate.attrs(), candidate.real());
        if (!walker.enterRoot(key)) {
          problems.add(candidate.given(), "given twice (the same directory as another root)");
          continue;
        }
        items.add(new Walker.Dir(candidate.given(), key, null, candidate.given()));
      } else {
        FileEntry file = walker.regularFile(candidate.given(), candidate.attrs(), true);
        if (file != null) {
          items.add(file);
        }
      }
    }
    return items;
  }

  /** Sorted output groups: a path per file, or every path of each with {@code hardlinks}. */
  static List<Found> assemble(
      List<Group> groups, Map<Object, List<FileEntry>> links, boolean hardlinks) {
    List<Found> found = new ArrayList<>();
    Set<Object> grouped = new HashSet<>(); // grouped files with more than one name
    for (Group group : groups) {
      List<Path> paths = new ArrayList<>(group.files().size());
      for (FileEntry file : group.files()) {
        List<FileEntry> names = links.get(file.key());
        if (names == null) { // the usual case: a file with one name
          paths.add(file.path());
        } else if (hardlinks) {
          grouped.add(file.key());
          names.forEach(name -> paths.add(name.path()));
        } else {
          paths.add(first(names));
        }
      }
      found.add(found(group.size(), group.digest(), group.files().size(), paths));
    }
    if (hardlinks) {
      links.forEach(
          (key, names) -> {
            if (!grouped.contains(key)) {
              found.add(
                  found(
                      names.get(0).size(), null, 1, names.stream().map(FileEntry::path).toList()));
            }
          });
    }
    found.sort( // largest first, then by first path
        (a, b) ->
            a.size() != b.size()
                ? Long.compare(b.size(), a.size())
                : Arrays.compareUnsigned(a.bytes().get(0), b.bytes().get(0)));
    return found;
  }

  private static Path first(List<FileEntry> names) {
    Path first = names.get(0).path();
    byte[] firstBytes = PathBytes.of(first);
    for (FileEntry name : names.subList(1, names.size())) {
      byte[] bytes = PathBytes.of(name.path());
      if (Arrays.compareUnsigned(bytes, firstBytes) < 0) {
        first = name.path();
        firstBytes = bytes;
      }
    }
    return first;
  }

  private static Found found(long size, @Nullable Digest digest, int files, List<Path> paths) {
    record Named(Path path, byte[] bytes) {}
    List<Named> named = new ArrayList<>();
    for (Path path : paths) {
      named.add(new Named(path, PathBytes.of(path)));
    }
    named.sort((a, b) -> Arrays.compareUnsigned(a.bytes(), b.bytes()));
    List<Path> sortedPaths = new ArrayList<>(named.size());
    List<byte[]> sortedBytes = new ArrayList<>(named.size());
    for (Named one : named) {
      sortedPaths.add(one.path());
      sortedBytes.add(one.bytes());
    }
    return new Found(
        size,
        digest,
        files,
        Collections.unmodifiableList(sortedPaths),
        Collections.unmodifiableList(sortedBytes));
  }
}
