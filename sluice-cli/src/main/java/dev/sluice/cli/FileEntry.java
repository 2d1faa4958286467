package dev.sluice.cli;

import java.nio.file.Path;

/**
 * A regular file found by the walk: its path, its size when it was listed, and its file key (device
 * and inode on Unix), which tells hard links apart from copies.
 *
 * @param path the path, as reached from its root
 * @param size the size in bytes when the file was listed
 * @param key the file key: equal for two paths of one file
 * @param viaLink whether the path ends in a symbolic link that was followed ({@code --follow-links}
 *     or a root given as a link): such files are opened following links, others never are
 */
record FileEntry(Path path, long size, Object key, boolean viaLink) implements Walker.Item {}
