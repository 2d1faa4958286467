package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Emitter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The grouping stages on their own, fed every arrival order of a small set of files: what they pass
 * on and what they record must not depend on the order.
 */
class IndexesTest {

  /** An emitter that keeps what it is given. */
  private static final class Kept<T> implements Emitter<T> {
    final List<T> items = new ArrayList<>();

    @Override
    public void emit(T item) {
      items.add(item);
    }
  }

  private static FileEntry file(String name, long size, String inode) {
    return new FileEntry(Path.of(name), size, inode, false);
  }

  private static <T> List<List<T>> permutations(List<T> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<T>> result = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<T> rest = new ArrayList<>(items);
      T first = rest.remove(i);
      for (List<T> tail : permutations(rest)) {
        List<T> order = new ArrayList<>();
        order.add(first);
        order.addAll(tail);
        result.add(order);
      }
    }
    return result;
  }

  @Test
  void bySizePassesEachDistinctFileOfASharedSizeOnceAndRecordsItsOtherNames()
      throws InterruptedException {
    FileEntry a = file("a", 100, "inode-a");
    FileEntry aLink = file("a-link", 100, "inode-a");
    FileEntry b = file("b", 100, "inode-b");
    FileEntry c = file("c", 200, "inode-c"); // a size of its own
    FileEntry cLink = file("c-link", 200, "inode-c"); // ... and a second name
    FileEntry d = file("d", 300, "inode-d"); // a size of its own, one name

    List<List<FileEntry>> orders = permutations(List.of(a, aLink, b, c, cLink, d));
    assertThat(orders).hasSize(720);
    for (List<FileEntry> order : orders) {
      Indexes.BySize index = new Indexes.BySize();
      Kept<FileEntry> out = new Kept<>();
      for (FileEntry file : order) {
        index.accept(file, out);
      }

      // One name of a, and b: each once, whichever name of a came first.
      FileEntry firstA = order.indexOf(a) < order.indexOf(aLink) ? a : aLink;
      assertThat(out.items).as("order %s", order).containsExactlyInAnyOrder(firstA, b);
      Map<Object, List<FileEntry>> links = index.links();
      assertThat(links.keySet())
          .as("order %s", order)
          .containsExactlyInAnyOrder("inode-a", "inode-c");
      assertThat(links.get("inode-a")).as("order %s", order).containsExactlyInAnyOrder(a, aLink);
      assertThat(links.get("inode-a").get(0)).isEqualTo(firstA);
      assertThat(links.get("inode-c")).as("order %s", order).containsExactlyInAnyOrder(c, cLink);
    }
  }

  @Test
  void byPartialPassesEveryFileWhoseKeyAnotherFileHasOnce() throws InterruptedException {
    Digest p1 = new Digest(new byte[] {1});
    Digest p2 = new Digest(new byte[] {2});
    Hashed x1 = new Hashed(file("x1", 100, "1"), p1, null);
    Hashed x2 = new Hashed(file("x2", 100, "2"), p1, null);
    Hashed x3 = new Hashed(file("x3", 100, "3"), p1, null);
    Hashed y = new Hashed(file("y", 100, "4"), p2, null); // same size, other partial hash
    Hashed z = new Hashed(file("z", 999, "5"), p1, null); // same partial hash, other size

    for (List<Hashed> order : permutations(List.of(x1, x2, x3, y, z))) {
      Indexes.ByPartial index = new Indexes.ByPartial();
      Kept<Hashed> out = new Kept<>();
      for (Hashed hashed : order) {
        index.accept(hashed, out);
      }
      // Exactly these, each once: a file passed on twice would be hashed and listed twice.
      assertThat(out.items).as("order %s", order).containsExactlyInAnyOrder(x1, x2, x3);
    }
  }
}
