package dev.sluice.tg;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A random forest of {@code size} nodes, built from a seed: node 0 and every node whose parent is
 * -1 are roots; the others hang below an earlier node. {@code window} picks the shape: 1 makes a
 * chain, large values a bushy tree.
 */
public final class RandomTree {
  public final int size;
  public final int[] parent;
  public final List<List<Integer>> children;
  public final List<Integer> roots;

  /** Builds the forest; about one node in {@code rootEvery} is an extra root. */
  public RandomTree(int size, int window, int rootEvery, long seed) {
    Random random = new Random(seed);
    this.size = size;
    this.parent = new int[size];
    this.children = new ArrayList<>(size);
    this.roots = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      children.add(new ArrayList<>());
    }
    for (int i = 0; i < size; i++) {
      if (i == 0 || random.nextInt(rootEvery) == 0) {
        parent[i] = -1;
        roots.add(i);
      } else {
        parent[i] = i - 1 - random.nextInt(Math.min(i, window));
        children.get(parent[i]).add(i);
      }
    }
  }

  /** The depth of the deepest node (a root has depth 1). */
  public int depth() {
    int[] depth = new int[size];
    int max = 0;
    for (int i = 0; i < size; i++) {
      depth[i] = parent[i] < 0 ? 1 : depth[parent[i]] + 1;
      max = Math.max(max, depth[i]);
    }
    return max;
  }

  @Override
  public String toString() {
    return "RandomTree[size=" + size + ", roots=" + roots.size() + ", depth=" + depth() + "]";
  }
}
