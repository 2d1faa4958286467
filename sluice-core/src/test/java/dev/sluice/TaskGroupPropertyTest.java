package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.tg.GroupThreads;
import dev.sluice.tg.Peak;
import dev.sluice.tg.RandomTree;
import dev.sluice.tg.ThreadKind;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random trees of follow-ups, checked against the obvious model: every node runs exactly once, and
 * {@code join()} returns only after the last one has. Each try runs under a time limit ({@link
 * Waiting#within}), jqwik's stand-in for {@code @Timeout}.
 */
class TaskGroupPropertyTest {

  private static final Duration PER_TRY = Duration.ofSeconds(30);

  /** Runs a node: submits its children as fire-and-forget follow-ups, then counts itself. */
  private static void node(
      TaskGroup group,
      RandomTree tree,
      int n,
      AtomicIntegerArray ranTimes,
      AtomicInteger finished,
      boolean viaCurrent) {
    ranTimes.incrementAndGet(n);
    TaskGroup target = viaCurrent ? TaskGroup.current().orElseThrow() : group;
    for (int child : tree.children.get(n)) {
      boolean childViaCurrent = (child & 1) == 0;
      target.submit(() -> node(group, tree, child, ranTimes, finished, childViaCurrent));
    }
    if ((n & 7) == 3) {
      Thread.yield(); // let other nodes overtake, and the joiner look
    }
    finished.incrementAndGet(); // last thing a node does: join must wait for it
  }

  @Property(tries = 200)
  void joinReturnsOnlyAfterEveryNodeOfARandomTreeOfFollowUpsRan(
      @ForAll @IntRange(min = 1, max = 3000) int size,
      @ForAll @IntRange(min = 1, max = 64) int window,
      @ForAll @IntRange(min = 2, max = 500) int rootEvery,
      @ForAll @IntRange(min = 1, max = 8) int maxConcurrency,
      @ForAll ThreadKind kind,
      @ForAll long seed)
      throws Exception {
    RandomTree tree = new RandomTree(size, window, rootEvery, seed);
    Waiting.within(
        PER_TRY,
        () -> {
          AtomicIntegerArray ranTimes = new AtomicIntegerArray(size);
          AtomicInteger finished = new AtomicInteger();
          GroupThreads threads = new GroupThreads();
          TaskGroup group = kind.builder("prop").maxConcurrency(maxConcurrency).build();
          try {
            for (int root : tree.roots) {
              group.submit(
                  () -> {
                    threads.record();
                    node(group, tree, root, ranTimes, finished, false);
                  });
            }
            group.join();
            int atJoin = finished.get();
            assertThat(atJoin).as("nodes finished when join returned, %s", tree).isEqualTo(size);
            TaskGroupStats stats = group.stats();
            assertThat(stats.pending()).isZero();
            assertThat(stats.running()).isZero();
            assertThat(stats.submitted()).isEqualTo(size);
            assertThat(stats.completed()).isEqualTo(size);
          } finally {
            group.close();
          }
          for (int i = 0; i < size; i++) {
            assertThat(ranTimes.get(i)).as("times node %d ran", i).isEqualTo(1);
          }
          threads.assertAllEnded();
          GroupThreads.assertNoThreadNamedAfter(group.name());
        });
  }

  /** A failure that names the node that threw it. */
  static final class NodeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NodeFailure(int node) {
      super("node " + node, null, false, false);
    }
  }

  private static void failingNode(
      TaskGroup group, RandomTree tree, int n, int failing, AtomicInteger ran) {
    ran.incrementAndGet();
    if (n == failing) {
      throw new NodeFailure(n);
    }
    for (int child : tree.children.get(n)) {
      group.submit(() -> failingNode(group, tree, child, failing, ran));
    }
  }

  @Property(tries = 100)
  void failFastReportsTheFailingNodeFirstAndLeavesNothingBehind(
      @ForAll @IntRange(min = 1, max = 1000) int size,
      @ForAll @IntRange(min = 1, max = 64) int window,
      @ForAll @IntRange(min = 1, max = 8) int maxConcurrency,
      @ForAll ThreadKind kind,
      @ForAll long seed)
      throws Exception {
    RandomTree tree = new RandomTree(size, window, Integer.MAX_VALUE, seed);
    int failing = (int) Math.floorMod(seed, (long) size);
    Waiting.within(
        PER_TRY,
        () -> {
          AtomicInteger ran = new AtomicInteger();
          GroupThreads threads = new GroupThreads();
          TaskGroup group = kind.builder("prop-ff").maxConcurrency(maxConcurrency).build();
          group.submit(
              () -> {
                threads.record();
                failingNode(group, tree, 0, failing, ran);
              });
          TaskGroupException failure = null;
          try {
            group.join();
          } catch (TaskGroupException e) {
            failure = e;
          }
          assertThat(failure).as("join after node %d failed, %s", failing, tree).isNotNull();
          assertThat(failure.getCause())
              .isInstanceOf(NodeFailure.class)
              .hasMessage("node " + failing);
          assertThat(group.isCancelled()).isTrue();
          group.close();
          TaskGroupStats stats = group.stats();
          assertThat(stats.pending()).isZero();
          assertThat(stats.running()).isZero();
          assertThat(stats.completed() + stats.failed() + stats.cancelled())
              .as("every submitted task accounted for: %s", stats)
              .isEqualTo(stats.submitted());
          assertThat(ran.get()).isLessThanOrEqualTo(size);
          threads.assertAllEnded();
          GroupThreads.assertNoThreadNamedAfter(group.name());
        });
  }

  /**
   * Runs a node that waits for some of its children (chosen by the seed) and leaves the others as
   * fire-and-forget follow-ups; returns the size of the subtree it waited for.
   */
  private static int waitingNode(
      TaskGroup group, RandomTree tree, int n, boolean[] waits, Peak peak, AtomicInteger finished)
      throws Exception {
    peak.enter();
    try {
      List<Task<Integer>> awaited = new ArrayList<>();
      for (int child : tree.children.get(n)) {
        Task<Integer> t =
            group.submit(() -> waitingNode(group, tree, child, waits, peak, finished));
        if (waits[child]) {
          awaited.add(t);
        }
      }
      int sum = 1;
      for (Task<Integer> t : awaited) {
        peak.exit();
        try {
          sum += t.join();
        } finally {
          peak.enter();
        }
      }
      finished.incrementAndGet();
      return sum;
    } finally {
      peak.exit();
    }
  }

  /** What {@link #waitingNode} returns for {@code n} when every join returns its task's value. */
  private static int awaited(RandomTree tree, int n, boolean[] waits) {
    int sum = 1;
    for (int child : tree.children.get(n)) {
      if (waits[child]) {
        sum += awaited(tree, child, waits);
      }
    }
    return sum;
  }

  @Property(tries = 60)
  void randomTreesOfNestedWaitsNeverDeadlockAndNeverExceedTheLimit(
      @ForAll @IntRange(min = 1, max = 400) int size,
      @ForAll @IntRange(min = 1, max = 16) int window,
      @ForAll @IntRange(min = 1, max = 3) int maxConcurrency,
      @ForAll ThreadKind kind,
      @ForAll long seed)
      throws Exception {
    RandomTree tree = new RandomTree(size, window, Integer.MAX_VALUE, seed);
    Random random = new Random(seed ^ 0x5DEECE66DL);
    boolean[] waits = new boolean[size];
    for (int i = 0; i < size; i++) {
      waits[i] = random.nextInt(3) != 0;
    }
    Waiting.within(
        PER_TRY,
        () -> {
          Peak peak = new Peak();
          AtomicInteger finished = new AtomicInteger();
          try (TaskGroup group = kind.builder("prop-wait").maxConcurrency(maxConcurrency).build()) {
            Task<Integer> root =
                group.submit(() -> waitingNode(group, tree, 0, waits, peak, finished));
            int waited = root.join();
            assertThat(waited)
                .as("the subtree the root waited for")
                .isEqualTo(awaited(tree, 0, waits));
            group.join();
            assertThat(finished.get()).isEqualTo(size);
            assertThat(group.stats().pending()).isZero();
          }
          assertThat(peak.max()).as("peak for %s", tree).isBetween(1, maxConcurrency);
        });
  }

  /**
   * Runs a node that submits its children, then waits for one random already-submitted task with a
   * higher number (not necessarily its own child, so the awaited task often runs on another
   * thread): waits only go from lower to higher numbers, so they form no cycle.
   */
  private static void crossWaitingNode(
      TaskGroup group,
      RandomTree tree,
      int n,
      AtomicReferenceArray<Task<?>> tasks,
      long seed,
      Peak peak,
      AtomicInteger finished)
      throws Exception {
    peak.enter();
    try {
      for (int child : tree.children.get(n)) {
        tasks.set(
            child,
            group.submit(() -> crossWaitingNode(group, tree, child, tasks, seed, peak, finished)));
      }
      Random random = new Random(seed * 31 + n);
      if (n + 1 < tree.size) {
        int k = n + 1 + random.nextInt(tree.size - n - 1);
        Task<?> other = tasks.get(k);
        if (other != null) {
          peak.exit();
          try {
            other.join();
          } finally {
            peak.enter();
          }
        }
      }
      finished.incrementAndGet();
    } finally {
      peak.exit();
    }
  }

  @Property(tries = 60)
  void waitsAcrossARandomTreeNeverDeadlockAndNeverExceedTheLimit(
      @ForAll @IntRange(min = 1, max = 300) int size,
      @ForAll @IntRange(min = 1, max = 16) int window,
      @ForAll @IntRange(min = 1, max = 3) int maxConcurrency,
      @ForAll ThreadKind kind,
      @ForAll long seed)
      throws Exception {
    RandomTree tree = new RandomTree(size, window, Integer.MAX_VALUE, seed);
    Waiting.within(
        PER_TRY,
        () -> {
          Peak peak = new Peak();
          AtomicInteger finished = new AtomicInteger();
          AtomicReferenceArray<Task<?>> tasks = new AtomicReferenceArray<>(size);
          try (TaskGroup group =
              kind.builder("prop-cross").maxConcurrency(maxConcurrency).build()) {
            tasks.set(
                0,
                group.submit(() -> crossWaitingNode(group, tree, 0, tasks, seed, peak, finished)));
            group.join();
            assertThat(finished.get()).isEqualTo(size);
          }
          assertThat(peak.max()).as("peak for %s", tree).isBetween(1, maxConcurrency);
        });
  }
}
