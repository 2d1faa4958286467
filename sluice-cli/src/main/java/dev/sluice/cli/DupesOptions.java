package dev.sluice.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code sluice dupes} was asked to do.
 *
 * @param roots the paths given
 * @param followLinks follow symbolic links met during the walk
 * @param hidden include entries whose name starts with a dot
 * @param includeEmpty include empty files (all equal to each other)
 * @param minSize the smallest file size considered, in bytes
 * @param excludes globs: on the name, or on the path relative to its root if the glob has a '/'
 * @param hash the full-content hash
 * @param verify compare bytes before reporting a group
 * @param hardlinks list every path of a file, and groups of hard links alone
 * @param ioThreads workers of the I/O stages (virtual threads)
 * @param cpuThreads workers of the CPU stages (platform threads)
 */
record DupesOptions(
    List<Path> roots,
    boolean followLinks,
    boolean hidden,
    boolean includeEmpty,
    long minSize,
    List<String> excludes,
    HashKind hash,
    boolean verify,
    boolean hardlinks,
    int ioThreads,
    int cpuThreads) {

  DupesOptions {
    roots = List.copyOf(roots);
    excludes = List.copyOf(excludes);
    Objects.requireNonNull(hash, "hash");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
    }
    if (cpuThreads < 1) {
      throw new IllegalArgumentException("cpuThreads must be >= 1: " + cpuThreads);
    }
    if (minSize < 0) {
      throw new IllegalArgumentException("minSize must be >= 0: " + minSize);
    }
  }

  static int defaultCpuThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  static int defaultIoThreads() {
    return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }
}
