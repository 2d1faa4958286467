package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.TaskGroup;
import dev.sluice.stress.StressThreads;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The work-stealing deque behind a runner's follow-ups: one owner pushing and popping, several
 * thieves stealing, checked for lost, duplicated and invented tasks, and for the order each side
 * sees.
 *
 * <p>Each round the owner pushes {@code 20_000 * sluice.stress} distinct tasks, popping now and
 * then (runs of pushes and pops of random length, so the deque grows past its initial capacity and
 * drains to empty many times), then pops until the deque is empty and tells the thieves to stop.
 * Afterwards every task was taken exactly once; each thief saw tasks in increasing push order
 * (thieves take the oldest); and every pop by the owner returned the newest task still in the deque
 * at that moment, unless a thief took it (checked as: a pop never returns a task older than one the
 * owner pushed later and nobody has taken yet).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WorkDequeStressTest {

  private static final int STRESS = Math.max(1, Integer.getInteger("sluice.stress", 1));
  private static final int TASKS = 20_000 * STRESS;

  private static TaskGroup group;

  @BeforeAll
  static void openGroup() {
    group = TaskGroup.builder().name("deque-test").platformThreads().build();
  }

  @AfterAll
  static void closeGroup() {
    group.close();
  }

  private static GroupTask<?>[] tasks(int n) {
    GroupTask<?>[] tasks = new GroupTask<?>[n];
    for (int i = 0; i < n; i++) {
      int id = i;
      tasks[i] = new GroupTask<>((Group) group, () -> id, false, false);
    }
    return tasks;
  }

  @Test
  void theOwnerPopsNewestFirstAndThievesStealOldestFirst() {
    WorkDeque deque = new WorkDeque();
    GroupTask<?>[] t = tasks(300); // past the initial capacity
    assertThat(deque.isEmpty()).isTrue();
    assertThat(deque.pop()).isNull();
    assertThat(deque.steal()).isNull();
    assertThat(deque.push(t[0])).as("push reports an empty deque before it").isTrue();
    for (int i = 1; i < t.length; i++) {
      assertThat(deque.push(t[i])).as("push %d reports an empty deque before it", i).isFalse();
    }
    assertThat(deque.size()).isEqualTo(300);
    assertThat(deque.steal()).isSameAs(t[0]);
    assertThat(deque.pop()).isSameAs(t[299]);
    assertThat(deque.steal()).isSameAs(t[1]);
    for (int i = 298; i >= 2; i--) {
      assertThat(deque.pop()).isSameAs(t[i]);
    }
    assertThat(deque.pop()).isNull();
    assertThat(deque.steal()).isNull();
    assertThat(deque.isEmpty()).isTrue();
    assertThat(deque.push(t[0])).as("empty again after draining").isTrue();
    assertThat(deque.steal()).isSameAs(t[0]);
    assertThat(deque.push(t[1])).as("empty again after a steal").isTrue();
  }

  @ParameterizedTest(name = "{0} thieves")
  @ValueSource(ints = {1, 2, 4})
  void everyTaskIsTakenExactlyOnceUnderConcurrentStealing(int thieves) throws Exception {
    for (int round = 0; round < 4; round++) {
      runRound(thieves, round);
    }
  }

  private static void runRound(int thieves, int round) throws Exception {
    WorkDeque deque = new WorkDeque();
    GroupTask<?>[] all = tasks(TASKS);
    Map<GroupTask<?>, Integer> ids = new IdentityHashMap<>();
    for (int i = 0; i < all.length; i++) {
      ids.put(all[i], i);
    }
    AtomicIntegerArray taken = new AtomicIntegerArray(TASKS);
    List<List<Integer>> stolenBy = new ArrayList<>();
    for (int i = 0; i < thieves; i++) {
      stolenBy.add(new ArrayList<>());
    }
    StressThreads threads = new StressThreads(StressThreads.Kind.PLATFORM);
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    for (int i = 0; i < thieves; i++) {
      List<Integer> mine = stolenBy.get(i);
      threads.start(
          "thief-" + i,
          () -> {
            while (true) {
              GroupTask<?> task = deque.steal();
              if (task == null) {
                if (stop.get() && deque.isEmpty()) {
                  return;
                }
                Thread.onSpinWait();
                continue;
              }
              Integer id = ids.get(task);
              assertThat(id).as("a stolen task was pushed").isNotNull();
              taken.incrementAndGet(id);
              mine.add(id);
            }
          });
    }
    threads.start(
        "owner",
        () -> {
          try {
            SplittableRandom random = new SplittableRandom(round * 31L + thieves);
            int pushed = 0;
            while (pushed < TASKS) {
              int pushes = 1 + random.nextInt(40);
              for (int k = 0; k < pushes && pushed < TASKS; k++) {
                deque.push(all[pushed++]);
              }
              int pops = random.nextInt(40);
              for (int k = 0; k < pops; k++) {
                if (!popAndCheck(deque, ids, taken, pushed)) {
                  break;
                }
              }
            }
            while (popAndCheck(deque, ids, taken, pushed)) {
              // drain
            }
          } finally {
            stop.set(true); // also when the owner fails: the thieves must end
          }
        });
    threads.joinAll(
        java.time.Duration.ofMinutes(2),
        thieves + " thieves, round " + round,
        () -> stop.set(true));
    for (int i = 0; i < TASKS; i++) {
      assertThat(taken.get(i)).as("times task %d was taken (round %d)", i, round).isEqualTo(1);
    }
    for (List<Integer> mine : stolenBy) {
      for (int k = 1; k < mine.size(); k++) {
        assertThat(mine.get(k)).as("a thief's steals in push order").isGreaterThan(mine.get(k - 1));
      }
    }
    assertThat(deque.isEmpty()).isTrue();
  }

  /** Pops one task; false when the deque was empty. */
  private static boolean popAndCheck(
      WorkDeque deque, Map<GroupTask<?>, Integer> ids, AtomicIntegerArray taken, int pushed) {
    GroupTask<?> task = deque.pop();
    if (task == null) {
      return false;
    }
    Integer id = ids.get(task);
    assertThat(id).as("a popped task was pushed").isNotNull();
    assertThat(taken.incrementAndGet(id)).as("task %d taken twice", id).isEqualTo(1);
    // Newest first: every task pushed after this one has been taken already, by the owner or a
    // thief (a thief can only take a newer one once everything older is gone, which includes this
    // one, so in fact by the owner).
    for (int newer = id + 1; newer < pushed && newer < id + 64; newer++) {
      assertThat(taken.get(newer))
          .as("pop returned task %d while newer task %d was still in the deque", id, newer)
          .isEqualTo(1);
    }
    return true;
  }
}
