package dev.sluice.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code verify} stage ({@code --verify}): compares the files of a group byte by byte and
 * splits it if they differ (a hash collision, or a file changed after it was hashed). Reads through
 * two direct buffers per worker thread.
 */
final class Verifier {

  private static final int BUFFER = 256 * 1024;
  private static final ThreadLocal<ByteBuffer[]> BUFFERS =
      ThreadLocal.withInitial(
          () ->
              new ByteBuffer[] {
                ByteBuffer.allocateDirect(BUFFER), ByteBuffer.allocateDirect(BUFFER)
              });

  private final Problems problems;
  private final Opener opener;

  Verifier(Problems problems, Opener opener) {
    this.problems = problems;
    this.opener = opener;
  }

  /** The groups of files of {@code group} that are equal byte for byte, of two files or more. */
  List<Group> verify(Group group) {
    List<List<FileEntry>> classes = new ArrayList<>();
    for (FileEntry file : group.files()) {
      place(file, classes);
    }
    List<Group> verified = new ArrayList<>();
    for (List<FileEntry> members : classes) {
      if (members.size() > 1) {
        verified.add(new Group(group.size(), group.digest(), members));
      }
    }
    return verified;
  }

  /** Adds {@code file} to the class whose first file it equals, or to a new class. */
  private void place(FileEntry file, List<List<FileEntry>> classes) {
    for (Iterator<List<FileEntry>> it = classes.iterator(); it.hasNext(); ) {
      List<FileEntry> members = it.next();
      FileEntry representative = members.get(0);
      try {
        if (same(representative, file)) {
          members.add(file);
          return;
        }
      } catch (IOException e) {
        String failed = e instanceof FileSystemException fse ? fse.getFile() : null;
        if (failed != null && failed.equals(representative.path().toString())) {
          problems.add(representative.path(), "cannot verify: " + Problems.reason(e));
          members.remove(0);
          if (members.isEmpty()) {
            it.remove();
          }
          place(file, classes); // against the class's next file, or the classes after it
        } else {
          problems.add(file.path(), "cannot verify: " + Problems.reason(e));
        }
        return;
      }
    }
    List<FileEntry> fresh = new ArrayList<>();
    fresh.add(file);
    classes.add(fresh);
  }

  /** Whether the two files have the same bytes (and each still the size it was listed with). */
  boolean same(FileEntry a, FileEntry b) throws IOException {
    ByteBuffer[] buffers = BUFFERS.get();
    try (FileChannel ca = opener.open(a);
        FileChannel cb = opener.open(b)) {
      long position = 0;
      while (true) {
        buffers[0].clear();
        buffers[1].clear();
        int ra = ContentHasher.readFrom(a, ca, buffers[0], position);
        int rb = ContentHasher.readFrom(b, cb, buffers[1], position);
        if (ra != rb) {
          return false;
        }
        if (ra == 0) {
          return position == a.size() && position == b.size();
        }
        buffers[0].flip();
        buffers[1].flip();
        if (buffers[0].mismatch(buffers[1]) >= 0) {
          return false;
        }
        position += ra;
      }
    }
  }
}
