package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.Peak;
import dev.sluice.tg.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Waiting for a task of the same group from inside the group: no deadlock, limit respected. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupNestedWaitTest {

  /** The three ways to wait for a task. */
  enum Wait {
    JOIN {
      @Override
      <T> T on(Task<T> task) throws Exception {
        return task.join();
      }
    },
    GET {
      @Override
      <T> T on(Task<T> task) throws Exception {
        return task.get();
      }
    },
    TIMED_GET {
      @Override
      <T> T on(Task<T> task) throws Exception {
        return task.get(1, TimeUnit.MINUTES);
      }
    };

    abstract <T> T on(Task<T> task) throws Exception;
  }

  // ------------------------------------------------------- the seed's deadlock

  @Test
  @Timeout(10)
  void aTaskWaitingForItsChildHangsAPlainOneThreadPool() throws Exception {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    try {
      Future<String> parent = pool.submit(() -> pool.submit(() -> "child").get());
      assertThatThrownBy(() -> parent.get(300, TimeUnit.MILLISECONDS))
          .as("the parent holds the only thread while its child waits in the queue")
          .isInstanceOf(TimeoutException.class);
      List<Runnable> neverStarted = pool.shutdownNow(); // interrupts the parent's get()
      assertThat(neverStarted).as("the child never ran").hasSize(1);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("kindsAndWaits")
  @Timeout(10)
  void theSameTaskWaitingForItsChildCompletesOnATaskGroupWithOneSlot(ThreadKind kind, Wait wait)
      throws Exception {
    try (TaskGroup group = kind.builder("seed").maxConcurrency(1).build()) {
      Task<String> parent = group.submit(() -> wait.on(group.submit(() -> "child")));
      assertThat(parent.get(5, TimeUnit.SECONDS)).isEqualTo("child");
    }
  }

  static Stream<Arguments> kindsAndWaits() {
    List<Arguments> out = new ArrayList<>();
    for (ThreadKind kind : ThreadKind.values()) {
      for (Wait wait : Wait.values()) {
        out.add(Arguments.of(kind, wait));
      }
    }
    return out.stream();
  }

  static Stream<Arguments> kindsWaitsAndLimits() {
    List<Arguments> out = new ArrayList<>();
    for (ThreadKind kind : ThreadKind.values()) {
      for (Wait wait : Wait.values()) {
        for (int limit = 1; limit <= 3; limit++) {
          out.add(Arguments.of(kind, wait, limit));
        }
      }
    }
    return out.stream();
  }

  // --------------------------------------------------------- deep nested waits

  private static final int DEPTH = 500;

  /** Level {@code level} of a chain: submits the next level, waits for it, returns the depth. */
  private static int level(TaskGroup group, Wait wait, Peak peak, int level) throws Exception {
    peak.enter();
    try {
      if (level == DEPTH) {
        return level;
      }
      Task<Integer> child = group.submit(() -> level(group, wait, peak, level + 1));
      peak.exit();
      int result;
      try {
        result = wait.on(child);
      } finally {
        peak.enter();
      }
      return result;
    } finally {
      peak.exit();
    }
  }

  @ParameterizedTest(name = "{0}, {1}, maxConcurrency {2}")
  @MethodSource("kindsWaitsAndLimits")
  @Timeout(30)
  void aDeepChainOfNestedWaitsCompletesWithinTheLimit(ThreadKind kind, Wait wait, int limit)
      throws Exception {
    Peak peak = new Peak();
    try (TaskGroup group = kind.builder("chain").maxConcurrency(limit).build()) {
      Task<Integer> root = group.submit(() -> level(group, wait, peak, 0));
      assertThat(root.get(20, TimeUnit.SECONDS)).isEqualTo(DEPTH);
      group.join();
      assertThat(group.stats().completed()).isEqualTo(DEPTH + 1);
      assertThat(group.stats().running()).isZero();
    }
    assertThat(peak.max()).as("tasks executing user code at once").isBetween(1, limit);
    assertThat(peak.now()).isZero();
  }

  /** A binary tree of depth {@code depth}: each node submits two children and waits for both. */
  private static int tree(TaskGroup group, Wait wait, Peak peak, int depth) throws Exception {
    peak.enter();
    try {
      if (depth == 0) {
        Thread.yield();
        return 1;
      }
      Task<Integer> left = group.submit(() -> tree(group, wait, peak, depth - 1));
      Task<Integer> right = group.submit(() -> tree(group, wait, peak, depth - 1));
      peak.exit();
      int sum;
      try {
        sum = wait.on(left) + wait.on(right);
      } finally {
        peak.enter();
      }
      return sum + 1;
    } finally {
      peak.exit();
    }
  }

  @ParameterizedTest(name = "{0}, {1}, maxConcurrency {2}")
  @MethodSource("kindsWaitsAndLimits")
  @Timeout(30)
  void aTreeOfTasksEachWaitingForItsChildrenCompletesWithinTheLimit(
      ThreadKind kind, Wait wait, int limit) throws Exception {
    Peak peak = new Peak();
    try (TaskGroup group = kind.builder("tree").maxConcurrency(limit).build()) {
      Task<Integer> root = group.submit(() -> tree(group, wait, peak, 8));
      assertThat(root.get(20, TimeUnit.SECONDS)).isEqualTo(511);
      group.join();
    }
    assertThat(peak.max()).isBetween(1, limit);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aWaiterGivesItsSlotBackWhileTheAwaitedTaskRunsElsewhere(ThreadKind kind) throws Exception {
    Peak peak = new Peak();
    try (TaskGroup group = kind.builder("slot").maxConcurrency(2).build()) {
      CountDownLatch childRunning = new CountDownLatch(1);
      CountDownLatch releaseChild = new CountDownLatch(1);
      Task<String> child =
          group.submit(
              () -> {
                childRunning.countDown();
                releaseChild.await();
                return "child";
              });
      childRunning.await();
      CountDownLatch waiting = new CountDownLatch(1);
      Task<String> waiter =
          group.submit(
              () -> {
                waiting.countDown();
                return child.join();
              });
      waiting.await();
      // The waiter has released its slot, or will: a third task must get to run while both wait.
      Task<String> third = group.submit(() -> "third");
      assertThat(third.get(5, TimeUnit.SECONDS)).isEqualTo("third");
      assertThat(group.stats().running()).isLessThanOrEqualTo(2);
      releaseChild.countDown();
      assertThat(waiter.join()).isEqualTo("child");
      group.join();
    }
    assertThat(peak.now()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aWaitingTaskIsNotCountedAsRunning(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("stat-wait").maxConcurrency(3).build()) {
      CountDownLatch childRunning = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
      Task<Object> child =
          group.submit(
              () -> {
                childRunning.countDown();
                release.await();
                return null;
              });
      childRunning.await();
      group.submit(
          () -> {
            waiterThread.complete(Thread.currentThread());
            return child.join();
          });
      dev.sluice.tg.Waiting.untilBlocked(waiterThread.get());
      TaskGroupStats stats = group.stats();
      assertThat(stats.running()).as("only the child holds a slot").isEqualTo(1);
      assertThat(stats.pending()).isEqualTo(2);
      release.countDown();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aTimedGetFromInsideTimesOutAndTakesItsSlotBack(ThreadKind kind) throws Exception {
    Peak peak = new Peak();
    try (TaskGroup group = kind.builder("timed").maxConcurrency(2).build()) {
      CountDownLatch blockerRunning = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Task<String> blocker =
          group.submit(
              () -> {
                peak.enter();
                try {
                  blockerRunning.countDown();
                  release.await();
                  return "late";
                } finally {
                  peak.exit();
                }
              });
      blockerRunning.await();
      Task<String> waiter =
          group.submit(
              () -> {
                peak.enter();
                try {
                  peak.exit();
                  try {
                    return blocker.get(50, TimeUnit.MILLISECONDS);
                  } catch (TimeoutException e) {
                    return "timed out";
                  } finally {
                    peak.enter();
                  }
                } finally {
                  peak.exit();
                }
              });
      List<Task<Object>> others = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        others.add(
            group.submit(
                () -> {
                  peak.enter();
                  Thread.yield();
                  peak.exit();
                  return null;
                }));
      }
      assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("timed out");
      for (Task<Object> t : others) {
        t.get(5, TimeUnit.SECONDS);
      }
      release.countDown();
      assertThat(blocker.join()).isEqualTo("late");
      group.join();
    }
    assertThat(peak.max()).isBetween(1, 2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aTaskWaitingForItselfIsToldSoInsteadOfHanging(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("self").failurePolicy(FailurePolicy.COLLECT_ALL).build()) {
      CompletableFuture<Task<Object>> self = new CompletableFuture<>();
      Task<Object> task = group.submit(() -> self.get().join());
      self.complete(task);
      assertThatThrownBy(() -> task.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void waitingForAFailedTaskFromInsideReportsItsFailure(ThreadKind kind) throws Exception {
    try (TaskGroup group =
        kind.builder("failwait")
            .maxConcurrency(1)
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .build()) {
      Task<String> outer =
          group.submit(
              () -> {
                Task<Object> child =
                    group.submit(
                        () -> {
                          throw new IllegalStateException("child failed");
                        });
                try {
                  child.join();
                  return "no failure";
                } catch (CompletionException e) {
                  return e.getCause().getMessage();
                }
              });
      assertThat(outer.get(5, TimeUnit.SECONDS)).isEqualTo("child failed");
      assertThatThrownBy(group::join)
          .isInstanceOf(TaskGroupException.class)
          .cause()
          .hasMessage("child failed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void cancellingAChildRunInlineByItsWaiterDoesNotLeaveTheWaiterInterrupted(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("inline-cancel").maxConcurrency(1).build()) {
      CompletableFuture<Task<Object>> childRef = new CompletableFuture<>();
      CountDownLatch childRunning = new CountDownLatch(1);
      AtomicBoolean stop = new AtomicBoolean();
      Task<Boolean> waiter =
          group.submit(
              () -> {
                Task<Object> child =
                    group.submit(
                        () -> {
                          childRunning.countDown();
                          while (!stop.get()) { // ignores interrupts, as CPU-bound code may
                            Thread.onSpinWait();
                          }
                          return "done";
                        });
                childRef.complete(child);
                try {
                  child.join(); // queued behind our only slot: we run it inline
                } catch (CancellationException expected) {
                  // the child was cancelled; the waiter itself was not
                }
                return Thread.currentThread().isInterrupted();
              });
      childRunning.await();
      assertThat(childRef.get().cancel(true)).isTrue();
      stop.set(true);
      assertThat(waiter.get(5, TimeUnit.SECONDS))
          .as("the interrupt meant for the cancelled child leaked into its waiter")
          .isFalse();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void cancellingAWaitedChildLetsTheWaiterContinue(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("cancel-child").maxConcurrency(2).build()) {
      CountDownLatch childRunning = new CountDownLatch(1);
      CompletableFuture<Task<Object>> childRef = new CompletableFuture<>();
      Task<String> waiter =
          group.submit(
              () -> {
                Task<Object> child =
                    group.submit(
                        () -> {
                          childRunning.countDown();
                          Thread.sleep(60_000);
                          return null;
                        });
                childRef.complete(child);
                try {
                  child.join();
                  return "not cancelled";
                } catch (CancellationException e) {
                  return "cancelled";
                }
              });
      childRunning.await();
      childRef.get().cancel(true);
      assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("cancelled");
      group.join();
      assertThat(group.stats().cancelled()).isEqualTo(1);
      assertThat(group.stats().failed()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void manyTasksWaitingForOneSlowTaskAtLimitOneAllComplete(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("fan-in").maxConcurrency(1).build()) {
      CountDownLatch release = new CountDownLatch(1);
      Task<Integer> slow =
          group.submit(
              () -> {
                release.await();
                return 7;
              });
      AtomicInteger sum = new AtomicInteger();
      List<Task<Object>> waiters = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        waiters.add(group.submit(() -> sum.addAndGet(slow.join())));
      }
      release.countDown();
      for (Task<Object> w : waiters) {
        w.get(5, TimeUnit.SECONDS);
      }
      assertThat(sum.get()).isEqualTo(140);
      group.join();
    }
  }
}
