package dev.sluice.cli;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Files of equal content: one {@link FileEntry} per distinct file (inode), at least two unless the
 * group is made of the hard links of one file ({@code --hardlinks}).
 *
 * @param size the size of each file
 * @param digest the full-content hash, or null for a group of hard links only (never hashed)
 * @param files one entry per file
 */
record Group(long size, @Nullable Digest digest, List<FileEntry> files) {
  Group {
    files = List.copyOf(files);
  }
}
