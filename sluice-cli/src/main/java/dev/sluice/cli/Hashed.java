package dev.sluice.cli;

import org.jspecify.annotations.Nullable;

/**
 * A file with its partial hash (first and last few KiB) and, once known, its full-content hash.
 * Files small enough to be read whole by the partial stage get both at once.
 *
 * @param file the file
 * @param partial the hash of its first and last {@link ContentHasher#PARTIAL} bytes
 * @param full the hash of its whole content, or null until the full stage has run
 */
record Hashed(FileEntry file, Digest partial, @Nullable Digest full) {}
