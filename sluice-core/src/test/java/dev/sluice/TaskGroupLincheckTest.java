package dev.sluice;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Model-checks small {@link TaskGroup} programs with Lincheck's general-purpose mode ({@link
 * Lincheck#runConcurrentTest}): the group's runners (plain threads from the group's thread
 * factory), the test's own threads and their locks, conditions, parks and atomics are all run one
 * step at a time in interleavings Lincheck chooses, and a run where a thread is left waiting for
 * good is reported as a hang. Each program states a guarantee from {@link TaskGroup}'s Javadoc:
 * nested waits that never deadlock (also when the waiter's slot was taken meanwhile), exact
 * completion with follow-ups, a bounded backlog that lets its submitter go on, and a cancel that
 * accounts for every task.
 *
 * <p>What this finds, and what it does not (checked by breaking the group on purpose): a signal
 * that is never sent hangs its program within the first interleavings (the join's wake-up: the
 * follow-up program; the backlog's room signal: the submitter program). A race confined to a window
 * of two steps was not reached: the resumer's re-check in {@code releaseSlot} removed, the two-slot
 * follow-up program passed 300 interleavings (and 3,000 in a longer run of the same shape); the
 * runner reading the join-waiter count before its decrement instead of after, the follow-up program
 * passed 300. The runners' own steps (stealing, spinning, statistics) give Lincheck far more places
 * to switch than such a window; those races are the stress and property tests' job ({@link
 * TaskGroupStressTest}, {@link TaskGroupPropertyTest}).
 *
 * <p>Checks are plain {@code if}/{@code throw} (AssertJ's objects refuse Lincheck's {@code equals}
 * calls). Size: {@code 300 * sluice.stress} interleavings per program, about 9 s each.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class TaskGroupLincheckTest {

  private static final int INVOCATIONS = 300 * Math.max(1, Integer.getInteger("sluice.stress", 1));

  /** A program run against a fresh group; its checks throw {@link AssertionError}. */
  @FunctionalInterface
  private interface GroupProgram {
    void run(TaskGroup group) throws InterruptedException;
  }

  /**
   * Runs {@code program} under Lincheck, each time against a new group of {@code maxConcurrency}
   * slots (and {@code maxPending} queued outside tasks, 0 for no limit) whose runners are plain
   * platform threads, which Lincheck schedules; the group is closed after each run.
   */
  private static void check(int maxConcurrency, int maxPending, GroupProgram program) {
    Lincheck.runConcurrentTest(
        INVOCATIONS,
        () -> {
          TaskGroup.Builder builder =
              TaskGroup.builder()
                  .maxConcurrency(maxConcurrency)
                  .threadFactory(runnable -> new Thread(runnable));
          TaskGroup group = (maxPending > 0 ? builder.maxPending(maxPending) : builder).build();
          try {
            program.run(group);
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          } finally {
            group.close();
          }
        });
  }

  @ParameterizedTest(name = "{0} slot(s), {1} follow-up(s)")
  @CsvSource({"1, 1", "2, 2"})
  void aTaskWaitingForItsFollowUpsGetsASlotBackWhenTheyEnd(int slots, int followUps) {
    check(
        slots,
        0,
        group -> {
          // One slot: the follow-up can only run on the waiter's own slot (a deadlock if the wait
          // kept it). Two slots, two follow-ups: they may take both slots while the waiter waits,
          // and it must get one back when they finish.
          Task<Integer> outer =
              group.submit(
                  () -> {
                    List<Task<Integer>> inner = new ArrayList<>();
                    for (int i = 0; i < followUps; i++) {
                      int bit = 1 << i;
                      inner.add(group.submit(() -> bit));
                    }
                    int sum = 0;
                    for (Task<Integer> task : inner) {
                      sum += task.join();
                    }
                    return sum;
                  });
          int value = outer.join();
          group.join();
          int expected = (1 << followUps) - 1;
          expect(value == expected, "outer returned " + value + ", not " + expected);
        });
  }

  @Test
  void joinReturnsOnlyAfterEveryFollowUpRan() {
    check(
        2,
        0,
        group -> {
          AtomicInteger ran = new AtomicInteger();
          group.submit(
              () -> {
                group.submit(() -> ran.incrementAndGet()); // a follow-up nobody waits for
                ran.incrementAndGet();
              });
          group.join();
          expect(ran.get() == 2, "join returned after " + ran.get() + " of 2 tasks");
        });
  }

  @Test
  void aSubmitterWaitingForBacklogRoomGoesOnAndEveryTaskRunsOnce() {
    check(
        1,
        1,
        group -> {
          AtomicIntegerArray runs = new AtomicIntegerArray(3);
          Thread submitter =
              new Thread(
                  () -> {
                    for (int i = 0; i < 3; i++) {
                      int task = i;
                      group.submit(() -> runs.incrementAndGet(task)); // waits while one is queued
                    }
                  });
          submitter.start();
          submitter.join();
          group.join();
          for (int i = 0; i < 3; i++) {
            expect(runs.get(i) == 1, "task " + i + " ran " + runs.get(i) + " times");
          }
        });
  }

  @Test
  void aCancelRacingTheTasksAccountsForEachOfThem() {
    check(
        1,
        0,
        group -> {
          AtomicIntegerArray runs = new AtomicIntegerArray(2);
          Task<?> first = group.submit(() -> runs.incrementAndGet(0));
          Task<?> second = group.submit(() -> runs.incrementAndGet(1));
          Thread canceller = new Thread(group::cancel);
          canceller.start();
          canceller.join();
          try {
            group.join();
            throw new AssertionError("join after cancel returned normally");
          } catch (CancellationException expected) {
            // what join reports after cancel()
          }
          Task<?>[] tasks = {first, second};
          for (int i = 0; i < 2; i++) {
            expect(tasks[i].isDone(), "task " + i + " not done after join");
            expect(runs.get(i) <= 1, "task " + i + " ran " + runs.get(i) + " times");
            expect(
                tasks[i].isCancelled() || runs.get(i) == 1,
                "task " + i + " neither ran nor was cancelled");
          }
          TaskGroupStats stats = group.stats();
          expect(
              stats.completed() + stats.failed() + stats.cancelled() == stats.submitted(),
              "tasks unaccounted for: " + stats);
          expect(stats.pending() == 0, "pending after join: " + stats);
        });
  }

  private static void expect(boolean condition, String otherwise) {
    if (!condition) {
      throw new AssertionError(otherwise);
    }
  }
}
