package dev.sluice.cli;

import com.dynatrace.hash4j.hashing.HashStream128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Reads and hashes file contents for the {@code partial}, {@code full} and {@code verify} stages.
 *
 * <p>Memory: every read goes through a direct buffer owned by the calling worker thread ({@link
 * ThreadLocal}: stage workers are long-lived), {@link #PARTIAL_BUFFER} bytes for partial reads and
 * {@link #FULL_BUFFER} for full ones, so memory depends on the worker count, never on file sizes.
 * The bytes are copied into a heap array of the same size before hashing: hash4j reads a {@code
 * byte[]} several times faster than a {@code ByteBuffer} (five times with C1 only), and the copy
 * costs far less than that. (Reading into a heap buffer directly would copy too, through a
 * temporary direct buffer of the JDK's.)
 *
 * <p>Reads: a regular file's read returns fewer bytes than asked only at its end, so a short read
 * ends a file without another system call to see the end.
 *
 * <p>Size changes: the size the walk listed is checked by reading one byte past it (a read that
 * returns it means the file grew) and by the total read (less means it shrank), which costs no
 * extra system call; a changed file fails with {@link Problems.ChangedException}.
 *
 * <p>Reads are positional ({@code pread}), the full stage's too, so a file replaced by a FIFO after
 * the walk fails at its first read ({@code ESPIPE}) instead of waiting for a writer; files are
 * opened through an {@link Opener}, which keeps the open itself from waiting.
 */
final class ContentHasher {

  /** Bytes hashed from each end of a file by the partial stage. */
  static final int PARTIAL = 4096;

  /** Files up to this size are read whole by the partial stage. */
  static final int SMALL = 2 * PARTIAL;

  static final int PARTIAL_BUFFER = SMALL + 1;
  static final int FULL_BUFFER = 1 << 20;

  /**
   * A direct buffer to read into, a heap array of the same size to hash from, and an XXH3 stream to
   * hash with: one thread-local lookup per file gives all three.
   */
  private record Buffers(ByteBuffer direct, byte[] heap, HashStream128 xxh3) {
    static Buffers of(int size) {
      return new Buffers(
          ByteBuffer.allocateDirect(size), new byte[size], Hashing.xxh3_128().hashStream());
    }

    /** Copies the direct buffer's bytes from 0 to its position into the heap array. */
    byte[] copy() {
      direct.get(0, heap, 0, direct.position());
      return heap;
    }
  }

  private static final ThreadLocal<Buffers> PARTIAL_BUFFERS =
      ThreadLocal.withInitial(() -> Buffers.of(PARTIAL_BUFFER));
  private static final ThreadLocal<Buffers> FULL_BUFFERS =
      ThreadLocal.withInitial(() -> Buffers.of(FULL_BUFFER));

  private final HashKind kind;
  private final Opener opener;

  ContentHasher(HashKind kind, Opener opener) {
    this.kind = kind;
    this.opener = opener;
  }

  /**
   * The partial stage: hashes the first and last {@link #PARTIAL} bytes, or the whole file if it
   * has at most {@link #SMALL} bytes (then the full hash is known too).
   */
  Hashed partial(FileEntry file) throws IOException {
    Buffers buffers = PARTIAL_BUFFERS.get();
    ByteBuffer buffer = buffers.direct().clear();
    long size = file.size();
    try (FileChannel channel = opener.open(file)) {
      if (size <= SMALL) {
        buffer.limit((int) size + 1);
        int read = readFrom(file, channel, buffer, 0);
        if (read != size) {
          throw new Problems.ChangedException(size, read > size);
        }
        byte[] bytes = buffers.copy();
        Digest whole = xxh3(buffers.xxh3(), bytes, read);
        return new Hashed(file, whole, kind == HashKind.XXH3 ? whole : sha256(bytes, read));
      }
      buffer.limit(PARTIAL);
      int head = readFrom(file, channel, buffer, 0);
      buffer.limit(2 * PARTIAL + 1);
      int tail = readFrom(file, channel, buffer, size - PARTIAL);
      if (head != PARTIAL || tail != PARTIAL) {
        throw new Problems.ChangedException(size, tail > PARTIAL);
      }
      return new Hashed(file, xxh3(buffers.xxh3(), buffers.copy(), 2 * PARTIAL), null);
    }
  }

  /** The full stage: hashes the whole content, unless the partial stage already did. */
  Hashed full(Hashed hashed) throws IOException {
    if (hashed.full() != null) {
      return hashed;
    }
    FileEntry file = hashed.file();
    Buffers buffers = FULL_BUFFERS.get();
    ByteBuffer buffer = buffers.direct();
    HashStream128 xxh3 = kind == HashKind.XXH3 ? buffers.xxh3().reset() : null;
    MessageDigest sha256 = kind == HashKind.SHA256 ? newSha256() : null;
    long total = 0;
    try (FileChannel channel = opener.open(file)) {
      int read;
      do {
        read = readFrom(file, channel, buffer.clear(), total);
        total += read;
        if (total > file.size()) {
          throw new Problems.ChangedException(file.size(), true);
        }
        byte[] bytes = buffers.copy();
        if (xxh3 != null) {
          xxh3.putBytes(bytes, 0, read);
        } else {
          sha256.update(bytes, 0, read);
        }
      } while (read == FULL_BUFFER);
    }
    if (total != file.size()) {
      throw new Problems.ChangedException(file.size(), false);
    }
    byte[] digest = xxh3 != null ? xxh3.get().toByteArray() : sha256.digest();
    return new Hashed(file, hashed.partial(), new Digest(digest));
  }

  /**
   * Reads {@code file} from {@code position} until the buffer is full or the file ends (a short
   * read: see the class comment); returns the count.
   *
   * @throws Problems.ReplacedException if the read failed because {@code file} is no longer a
   *     regular file (a FIFO put in its place: {@code pread} fails with {@code ESPIPE})
   */
  static int readFrom(FileEntry file, FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    int total = 0;
    try {
      while (buffer.hasRemaining()) {
        int asked = buffer.remaining();
        int read = channel.read(buffer, position + total);
        if (read < 0) {
          break;
        }
        total += read;
        if (read < asked) {
          break;
        }
      }
    } catch (IOException e) {
      throw replacedOr(file, e);
    }
    return total;
  }

  /**
   * {@code failure}, or a {@link Problems.ReplacedException} if {@code file} is no longer a regular
   * file: a read's failure names no file, so the file's type now tells why it failed.
   */
  private static IOException replacedOr(FileEntry file, IOException failure) {
    return failure instanceof FileSystemException
        ? failure // it names the file, with a reason of its own
        : Problems.replacedOr(
            failure, file.path(), Opener.linkOptions(file), "regular file", "not read");
  }

  /**
   * Through the streaming hasher, as the full stage hashes: the same XXH3-128 value as the one-shot
   * {@code hashBytesTo128Bits}, but one hash implementation to compile instead of two. The one-shot
   * method is 2.7 KB of bytecode, which C1 compiled twice at the start of every scan, first on the
   * stack of a hash running interpreted (that compilation alone: 12-19 ms, {@code -XX:+CITime}),
   * while both cores were needed. The stream's {@code get()} still calls it for 256 bytes or less.
   */
  private static Digest xxh3(HashStream128 stream, byte[] bytes, int length) {
    return new Digest(stream.reset().putBytes(bytes, 0, length).get().toByteArray());
  }

  private static Digest sha256(byte[] bytes, int length) {
    MessageDigest digest = newSha256();
    digest.update(bytes, 0, length);
    return new Digest(digest.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
