package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.stress.StressThreads;
import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.GroupThreads;
import dev.sluice.tg.Peak;
import dev.sluice.tg.ThreadKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several outside submitters and many follow-ups at once on one group, with nested waits and
 * cancels of single tasks mixed in: the paths where submitters, runners and waiters meet without a
 * lock (the shared queues, the runners' own deques and stealing, the pending count, slot hand-over
 * to resumers).
 *
 * <p>Each round: {@code submitters} outside threads each submit {@code roots} root tasks (a small
 * {@code maxPending}, so they also block); each root submits a random number of follow-ups, some of
 * which submit their own; a root sometimes waits for one of its children ({@code get}, run inline
 * or with the slot given back) and sometimes cancels one. After {@code join()}: every task ran at
 * most once, and every task that was not cancelled ran; the running count never exceeded {@code
 * maxConcurrency}; the statistics add up; and after {@code close()} no thread of the group is left.
 * Scaled by {@code sluice.stress}.
 */
@ExtendWith(ThreadLeakExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TaskGroupStressTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));
  private static final int ROOTS = 150 * STRESS;
  private static final int ROUNDS = 3;

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (ThreadKind kind : ThreadKind.values()) {
      for (int limit : new int[] {1, 2, 3, 8}) {
        cases.add(Arguments.of(kind, limit, 3));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, maxConcurrency {1}, {2} submitters")
  @MethodSource("cases")
  void followUpsOutsideWorkNestedWaitsAndCancelsAddUp(ThreadKind kind, int limit, int submitters)
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      runRound(kind, limit, submitters, round);
    }
  }

  private static final int MAX_CHILDREN = 4;

  /** Ids: root r of submitter s is node (s * ROOTS + r) * 32; its descendants follow. */
  private static int id(int submitter, int root) {
    return (submitter * ROOTS + root) * 32;
  }

  private static void runRound(ThreadKind kind, int limit, int submitters, int round)
      throws Exception {
    int capacity = submitters * ROOTS * 32;
    AtomicIntegerArray ran = new AtomicIntegerArray(capacity);
    AtomicIntegerArray cancelledOk = new AtomicIntegerArray(capacity);
    AtomicIntegerArray exists = new AtomicIntegerArray(capacity);
    AtomicInteger created = new AtomicInteger();
    Peak peak = new Peak();
    GroupThreads threads = new GroupThreads();
    TaskGroup group =
        kind.builder("stress")
            .maxConcurrency(limit)
            .maxPending(4)
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .build();
    StressThreads outside = new StressThreads(StressThreads.Kind.PLATFORM);
    for (int s = 0; s < submitters; s++) {
      int submitter = s;
      outside.start(
          "submitter-" + s,
          () -> {
            SplittableRandom random = new SplittableRandom(round * 1000L + submitter);
            for (int r = 0; r < ROOTS; r++) {
              int rootId = id(submitter, r);
              long seed = random.nextLong();
              created.incrementAndGet();
              exists.set(rootId, 1);
              group.submit(
                  () -> {
                    threads.record();
                    root(
                        group,
                        rootId,
                        new SplittableRandom(seed),
                        ran,
                        cancelledOk,
                        exists,
                        peak,
                        created);
                  });
            }
          });
    }
    outside.joinAll(Duration.ofMinutes(2), kind + " limit " + limit, group::cancel);
    group.join();
    TaskGroupStats stats = group.stats();
    assertThat(peak.max()).as("peak running tasks").isLessThanOrEqualTo(limit);
    for (int i = 0; i < capacity; i++) {
      assertThat(ran.get(i)).as("runs of node %d", i).isLessThanOrEqualTo(1);
      if (exists.get(i) == 1) {
        assertThat(ran.get(i) == 1 || cancelledOk.get(i) == 1)
            .as("node %d neither ran nor was cancelled, %s", i, stats)
            .isTrue();
      } else {
        assertThat(ran.get(i)).as("a node that was never submitted ran: %d", i).isZero();
      }
    }
    assertThat(stats.submitted()).isEqualTo(created.get());
    assertThat(stats.pending()).isZero();
    assertThat(stats.running()).isZero();
    assertThat(stats.failed()).isZero();
    assertThat(stats.completed() + stats.cancelled()).isEqualTo(stats.submitted());
    group.close();
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  private static void root(
      TaskGroup group,
      int rootId,
      SplittableRandom random,
      AtomicIntegerArray ran,
      AtomicIntegerArray cancelledOk,
      AtomicIntegerArray exists,
      Peak peak,
      AtomicInteger created)
      throws Exception {
    peak.enter();
    try {
      ran.incrementAndGet(rootId);
      int children = random.nextInt(MAX_CHILDREN + 1);
      List<Task<?>> tasks = new ArrayList<>();
      List<Integer> ids = new ArrayList<>();
      for (int c = 0; c < children; c++) {
        int childId = rootId + 1 + c * 5;
        int grandChildren = random.nextInt(4);
        created.incrementAndGet();
        exists.set(childId, 1);
        tasks.add(
            group.submit(
                () -> {
                  peak.enter();
                  try {
                    if (ran.incrementAndGet(childId) != 1) {
                      throw new AssertionError("node " + childId + " ran twice");
                    }
                    for (int g = 0; g < grandChildren; g++) {
                      int grandChildId = childId + 1 + g;
                      created.incrementAndGet();
                      exists.set(grandChildId, 1);
                      TaskGroup.current()
                          .orElseThrow()
                          .submit(
                              () -> {
                                peak.enter();
                                try {
                                  ran.incrementAndGet(grandChildId);
                                  Thread.yield();
                                } finally {
                                  peak.exit();
                                }
                              });
                    }
                    return childId;
                  } finally {
                    peak.exit();
                  }
                }));
        ids.add(childId);
      }
      if (!tasks.isEmpty()) {
        int pick = random.nextInt(tasks.size());
        switch (random.nextInt(3)) {
          case 0 -> {
            peak.exit();
            try {
              assertThat(tasks.get(pick).get()).isEqualTo(ids.get(pick));
            } finally {
              peak.enter();
            }
          }
          case 1 -> {
            if (tasks.get(pick).cancel(random.nextBoolean())) {
              if (!tasks.get(pick).isDone() || !tasks.get(pick).isCancelled()) {
                throw new AssertionError("a cancelled task is not done and cancelled");
              }
              cancelledOk.set(ids.get(pick), 1);
            }
          }
          default -> Thread.yield();
        }
      }
    } finally {
      peak.exit();
    }
  }
}
