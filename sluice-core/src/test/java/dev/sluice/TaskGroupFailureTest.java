package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.GroupThreads;
import dev.sluice.tg.ThreadKind;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Fail-fast and collect-all: who runs, who is interrupted, and what join reports. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupFailureTest {

  // ----------------------------------------------------------------- fail-fast

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aSubmitRejectedAfterAFailFastFailureNamesThatFailure(ThreadKind kind) throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    TaskGroup group = kind.builder("ff-reject").maxConcurrency(1).build();
    group.submit(
        () -> {
          throw boom;
        });
    Waiting.until(group::isCancelled, "the failure to cancel the group");
    assertThatThrownBy(() -> group.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage(
            "task group '" + group.name() + "' is cancelled by the failure of a task: " + boom)
        .hasCause(boom);
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class).hasCause(boom);
    group.close();
  }

  @Test
  @Timeout(10)
  void aSubmitRejectedAfterCancelSaysCancelledWithoutACause() {
    TaskGroup group = TaskGroup.open();
    group.cancel();
    assertThatThrownBy(() -> group.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("task group '" + group.name() + "' is cancelled")
        .hasNoCause();
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void failFastDropsQueuedTasksAndJoinThrowsTheFailureAsCause(ThreadKind kind) throws Exception {
    AtomicInteger queuedRan = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom");
    TaskGroup group = kind.builder("ff-queue").maxConcurrency(1).build();
    CountDownLatch go = new CountDownLatch(1);
    Task<Object> failing =
        group.submit(
            () -> {
              go.await();
              throw boom;
            });
    List<Task<Object>> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      queued.add(group.submit(() -> queuedRan.incrementAndGet()));
    }
    go.countDown();
    assertThatThrownBy(group::join)
        .isInstanceOf(TaskGroupException.class)
        .hasCause(boom)
        .hasMessage("task group '" + group.name() + "' failed: " + boom)
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    assertThat(queuedRan.get()).isZero();
    assertThat(group.isCancelled()).isTrue();
    for (Task<Object> t : queued) {
      assertThat(t.isCancelled()).isTrue();
      assertThatThrownBy(t::join).isInstanceOf(CancellationException.class);
    }
    assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class).hasCause(boom);
    assertThatThrownBy(() -> failing.get()).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThat(group.stats().cancelled()).isEqualTo(10);
    assertThat(group.stats().failed()).isEqualTo(1);
    assertThat(group.stats().pending()).isZero();
    assertThatThrownBy(() -> group.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("cancelled");
    group.close(); // join already reported the failure
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void failFastInterruptsRunningTasksAndTheirInterruptsAreNotNewFailures(ThreadKind kind)
      throws Exception {
    int sleepers = 4;
    CountDownLatch allSleeping = new CountDownLatch(sleepers);
    CountDownLatch interrupted = new CountDownLatch(sleepers);
    TaskGroup group = kind.builder("ff-run").maxConcurrency(sleepers + 1).build();
    for (int i = 0; i < sleepers; i++) {
      group.submit(
          () -> {
            allSleeping.countDown();
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              interrupted.countDown();
              throw e;
            }
          });
    }
    group.submit(
        () -> {
          allSleeping.await();
          throw new IllegalStateException("first");
        });
    long start = System.nanoTime();
    assertThatThrownBy(group::join)
        .isInstanceOf(TaskGroupException.class)
        .satisfies(
            e -> {
              TaskGroupException tge = (TaskGroupException) e;
              assertThat(tge.getCause()).hasMessage("first");
              assertThat(tge.getSuppressed()).as("interrupts are not failures").isEmpty();
              assertThat(tge.failures()).hasSize(1);
            });
    assertThat(interrupted.await(0, TimeUnit.SECONDS)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(group.stats().failed()).isEqualTo(1);
    assertThat(group.stats().cancelled()).isEqualTo(sleepers);
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void failuresAfterTheFirstAreSuppressedInTheOrderTheyHappened(ThreadKind kind) throws Exception {
    int others = 3;
    CountDownLatch allRunning = new CountDownLatch(others);
    TaskGroup group = kind.builder("ff-late").build();
    for (int i = 0; i < others; i++) {
      int n = i;
      group.submit(
          () -> {
            allRunning.countDown();
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              throw new IllegalStateException("late " + n); // a real failure, not the interrupt
            }
          });
    }
    group.submit(
        () -> {
          allRunning.await();
          throw new IllegalArgumentException("first");
        });
    TaskGroupException e = catchJoin(group);
    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class).hasMessage("first");
    assertThat(e.getSuppressed()).hasSize(others);
    assertThat(e.failures()).hasSize(others + 1);
    assertThat(e.failures().get(0)).isSameAs(e.getCause());
    assertThat(e.failures().subList(1, others + 1)).containsExactly(e.getSuppressed());
    assertThat(e.getMessage()).endsWith("(and " + others + " more)");
    group.close();
  }

  private static TaskGroupException catchJoin(TaskGroup group) throws InterruptedException {
    try {
      group.join();
    } catch (TaskGroupException e) {
      return e;
    }
    throw new AssertionError("join did not throw");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void failFastLeavesNoRunningOrSleepingThreadBehind(ThreadKind kind) throws Exception {
    GroupThreads threads = new GroupThreads();
    int sleepers = 6;
    CountDownLatch allSleeping = new CountDownLatch(sleepers);
    TaskGroup group = kind.builder("ff-clean").build();
    for (int i = 0; i < sleepers; i++) {
      group.submit(
          () -> {
            threads.record();
            allSleeping.countDown();
            Thread.sleep(60_000);
            return null;
          });
    }
    group.submit(
        () -> {
          threads.record();
          allSleeping.await();
          // follow-ups submitted while failing: they must be dropped or refused, never left behind
          for (int i = 0; i < 5; i++) {
            group.submit(() -> Thread.sleep(60_000));
          }
          throw new IllegalStateException("boom");
        });
    long start = System.nanoTime();
    assertThatThrownBy(group::close)
        .as("close reports the failure nobody joined")
        .isInstanceOf(TaskGroupException.class)
        .cause()
        .hasMessage("boom");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("close after a fail-fast failure returns promptly")
        .isLessThan(Duration.ofSeconds(5));
    threads.assertAllEnded();
    assertThat(threads.seen()).hasSize(sleepers + 1);
    GroupThreads.assertNoThreadNamedAfter(group.name());
    assertThat(group.stats().running()).isZero();
    assertThat(group.stats().pending()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aFailureInADeepFollowUpCancelsTheWholeGroup(ThreadKind kind) throws Exception {
    CountDownLatch sleeperRunning = new CountDownLatch(1);
    CountDownLatch sleeperInterrupted = new CountDownLatch(1);
    try (TaskGroup group = kind.builder("ff-deep").maxConcurrency(2).build()) {
      group.submit(
          () -> {
            sleeperRunning.countDown();
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              sleeperInterrupted.countDown();
            }
          });
      group.submit(
          () -> {
            sleeperRunning.await();
            group.submit(
                () ->
                    group.submit(
                        () -> {
                          throw new IllegalStateException("deep");
                        }));
          });
      assertThatThrownBy(group::join)
          .isInstanceOf(TaskGroupException.class)
          .cause()
          .hasMessage("deep");
      assertThat(sleeperInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void joinReportsAFailFastFailureAgainOnEveryCall(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("ff-again").build();
    group.submit(
        () -> {
          throw new IllegalStateException("boom");
        });
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    assertThatThrownBy(group::join)
        .isInstanceOf(TaskGroupException.class)
        .cause()
        .hasMessage("boom");
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aTaskThatCatchesItsInterruptAndReturnsIsNotAFailure(ThreadKind kind) throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    TaskGroup group = kind.builder("ff-swallow").build();
    Task<String> polite =
        group.submit(
            () -> {
              running.countDown();
              try {
                Thread.sleep(60_000);
                return "slept";
              } catch (InterruptedException e) {
                return "interrupted";
              }
            });
    group.submit(
        () -> {
          running.await();
          throw new IllegalStateException("boom");
        });
    TaskGroupException e = catchJoin(group);
    assertThat(e.failures()).hasSize(1);
    assertThat(polite.isDone()).isTrue();
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aFailureInAChildRunInlineStillInterruptsTheTaskThatRanIt(ThreadKind kind) throws Exception {
    CountDownLatch waiterInterrupted = new CountDownLatch(1);
    TaskGroup group = kind.builder("ff-inline").maxConcurrency(1).build();
    group.submit(
        () -> {
          Task<Object> child =
              group.submit(
                  () -> {
                    throw new IllegalStateException("child");
                  });
          try {
            child.join(); // queued behind our only slot: run inline, fails, cancels the group
          } catch (CompletionException expected) {
            // the group is cancelled now; we are a running task of it
          }
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            waiterInterrupted.countDown();
            throw e;
          }
          return null;
        });
    long start = System.nanoTime();
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("join waited for a running task that fail-fast never interrupted")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(waiterInterrupted.getCount()).isZero();
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void failFastEndsTasksThatWaitForOtherTasks(ThreadKind kind) throws Exception {
    GroupThreads threads = new GroupThreads();
    CountDownLatch sleeping = new CountDownLatch(1);
    CountDownLatch waiting = new CountDownLatch(1);
    TaskGroup group = kind.builder("ff-wait").maxConcurrency(2).build();
    Task<Object> sleeper =
        group.submit(
            () -> {
              threads.record();
              sleeping.countDown();
              Thread.sleep(60_000);
              return null;
            });
    sleeping.await();
    group.submit(
        () -> {
          threads.record();
          waiting.countDown();
          return sleeper.join(); // gives its slot back while it waits
        });
    waiting.await();
    group.submit(
        () -> {
          threads.record();
          throw new IllegalStateException("boom");
        });
    long start = System.nanoTime();
    TaskGroupException e = catchJoin(group);
    assertThat(e.getCause()).hasMessage("boom");
    assertThat(e.failures())
        .as("neither the interrupted sleeper nor its waiter is a new failure")
        .hasSize(1);
    group.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void anAttemptThatIsRetriedIsNoFailureAndCancelsNothing(ThreadKind kind) throws Exception {
    CountDownLatch retriedTaskDone = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group = kind.builder("ff-retry").retry(3, Backoff.none()).build()) {
      Task<String> bystander =
          group.submit(
              () -> {
                retriedTaskDone.await(); // would be interrupted if an attempt cancelled the group
                return "undisturbed";
              });
      Task<Integer> flaky =
          group.submit(
              () -> {
                if (attempts.incrementAndGet() < 3) {
                  throw new IllegalStateException("flaky");
                }
                return attempts.get();
              });
      assertThat(flaky.join()).isEqualTo(3);
      retriedTaskDone.countDown();
      assertThat(bystander.join()).isEqualTo("undisturbed");
      group.join();
      assertThat(group.isCancelled()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void cancellingTheGroupDuringABackoffEndsTheWaitAndIsNoFailure(ThreadKind kind) throws Exception {
    CountDownLatch backingOff = new CountDownLatch(1);
    Backoff signalling =
        retry -> {
          backingOff.countDown(); // the task has failed once and is about to wait
          return Duration.ofMinutes(1);
        };
    TaskGroup group = kind.builder("ff-backoff").retry(3, signalling).build();
    Task<Object> t =
        group.submit(
            () -> {
              throw new IllegalStateException("try later");
            });
    backingOff.await();
    group.cancel();
    long start = System.nanoTime();
    assertThatThrownBy(group::join).isInstanceOf(CancellationException.class);
    group.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(t.isDone()).isTrue();
    assertThat(group.stats().failed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void everyConcurrentJoinerSeesTheFailure(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("ff-joiners").build();
    CountDownLatch go = new CountDownLatch(1);
    group.submit(
        () -> {
          go.await();
          throw new IllegalStateException("boom");
        });
    List<Thread> joiners = new ArrayList<>();
    Set<String> outcomes = ConcurrentHashMap.newKeySet();
    AtomicInteger failuresSeen = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      joiners.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      group.join();
                      outcomes.add("returned");
                    } catch (TaskGroupException e) {
                      failuresSeen.incrementAndGet();
                    } catch (Exception e) {
                      outcomes.add(e.toString());
                    }
                  }));
    }
    for (Thread j : joiners) {
      dev.sluice.tg.Waiting.untilBlocked(j);
    }
    go.countDown();
    for (Thread j : joiners) {
      j.join();
    }
    assertThat(outcomes).isEmpty();
    assertThat(failuresSeen.get()).isEqualTo(4);
    group.close();
  }

  // -------------------------------------------------------------- collect-all

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void collectAllRunsEveryTaskAndJoinThrowsWithAllFailures(ThreadKind kind) throws Exception {
    Set<Integer> ran = ConcurrentHashMap.newKeySet();
    TaskGroup group =
        kind.builder("ca").maxConcurrency(2).failurePolicy(FailurePolicy.COLLECT_ALL).build();
    for (int i = 0; i < 30; i++) {
      int n = i;
      group.submit(
          () -> {
            ran.add(n);
            if (n % 10 == 3) {
              throw new IllegalStateException("fail " + n);
            }
            if (n % 10 == 5) {
              group.submit(() -> ran.add(100 + n));
            }
          });
    }
    TaskGroupException e = catchJoin(group);
    assertThat(ran).hasSize(33);
    assertThat(e.failures())
        .extracting(Throwable::getMessage)
        .containsExactlyInAnyOrder("fail 3", "fail 13", "fail 23");
    assertThat(group.isCancelled()).isFalse();
    assertThat(group.stats().failed()).isEqualTo(3);
    assertThat(group.stats().completed()).isEqualTo(30);
    group.close(); // reported already
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void collectAllReportsEachFailureByOneJoinOnly(ThreadKind kind) throws Exception {
    TaskGroup group =
        kind.builder("ca-once").maxConcurrency(1).failurePolicy(FailurePolicy.COLLECT_ALL).build();
    group.submit(
        () -> {
          throw new IllegalStateException("a");
        });
    group.submit(
        () -> {
          throw new IllegalStateException("b");
        });
    TaskGroupException first = catchJoin(group);
    assertThat(first.failures()).extracting(Throwable::getMessage).containsExactly("a", "b");
    group.join(); // nothing new
    group.submit(() -> "fine");
    group.join();
    group.submit(
        () -> {
          throw new IllegalStateException("c");
        });
    TaskGroupException second = catchJoin(group);
    assertThat(second.failures()).extracting(Throwable::getMessage).containsExactly("c");
    group.join();
    group.close(); // everything was reported
  }

  @Test
  @Timeout(10)
  void closeReportsCollectedFailuresThatNoJoinReported() {
    TaskGroup group = TaskGroup.builder().failurePolicy(FailurePolicy.COLLECT_ALL).build();
    group.submit(
        () -> {
          throw new IllegalStateException("unreported");
        });
    assertThatThrownBy(group::close)
        .isInstanceOf(TaskGroupException.class)
        .cause()
        .hasMessage("unreported");
    group.close(); // idempotent, and reported now
  }

  @Test
  @Timeout(10)
  void tryWithResourcesSurfacesAFailureThroughClose() {
    assertThatThrownBy(
            () -> {
              try (TaskGroup group = TaskGroup.open()) {
                group.submit(
                    () -> {
                      throw new java.io.IOException("disk");
                    });
              }
            })
        .isInstanceOf(TaskGroupException.class)
        .cause()
        .isInstanceOf(java.io.IOException.class);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void collectAllDoesNotInterruptOtherTasksWhenOneFails(ThreadKind kind) throws Exception {
    CountDownLatch failed = new CountDownLatch(1);
    TaskGroup group = kind.builder("ca-peace").failurePolicy(FailurePolicy.COLLECT_ALL).build();
    Task<String> survivor =
        group.submit(
            () -> {
              failed.await(); // would throw InterruptedException if the failure interrupted us
              return "survived";
            });
    Task<Object> failing =
        group.submit(
            () -> {
              throw new IllegalStateException("x");
            });
    assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class);
    failed.countDown();
    assertThat(survivor.join()).isEqualTo("survived");
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    group.close();
  }

  // ------------------------------------------------------------------ cancel()

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void cancelInterruptsRunningDropsQueuedAndJoinThrowsCancellation(ThreadKind kind)
      throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    TaskGroup group = kind.builder("cancel").maxConcurrency(1).build();
    Task<Object> sleeper =
        group.submit(
            () -> {
              running.countDown();
              Thread.sleep(60_000);
              return null;
            });
    Task<Object> queued = group.submit(() -> "never");
    running.await();
    group.cancel();
    assertThatThrownBy(group::join)
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining(group.name());
    assertThat(group.isCancelled()).isTrue();
    assertThat(sleeper.isCancelled()).isTrue();
    assertThat(queued.isCancelled()).isTrue();
    assertThat(group.stats().failed()).isZero();
    assertThat(group.stats().cancelled()).isEqualTo(2);
    assertThatThrownBy(() -> group.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    group.close();
  }

  @Test
  @Timeout(10)
  void cancellingOneQueuedTaskLeavesTheOthersRunning() throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(1).build()) {
      CountDownLatch go = new CountDownLatch(1);
      group.submit(() -> go.await());
      Task<String> victim = group.submit(() -> "victim");
      Task<String> other = group.submit(() -> "other");
      assertThat(victim.cancel(false)).isTrue();
      assertThat(victim.cancel(false)).as("second cancel").isFalse();
      go.countDown();
      assertThat(other.join()).isEqualTo("other");
      assertThatThrownBy(victim::join).isInstanceOf(CancellationException.class);
      group.join(); // a task's own cancellation is not the group's failure
      assertThat(group.isCancelled()).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void cancellingARunningTaskInterruptsItWithoutFailingTheGroup() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch interrupted = new CountDownLatch(1);
      Task<Object> t =
          group.submit(
              () -> {
                running.countDown();
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  interrupted.countDown();
                  throw e;
                }
                return null;
              });
      running.await();
      assertThat(t.cancel(true)).isTrue();
      assertThat(t.isCancelled()).isTrue();
      assertThat(t.isDone()).isTrue();
      assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
      assertThat(group.stats().failed()).isZero();
      assertThat(t.cancel(true)).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void aTaskCancelledWithoutInterruptKeepsRunningButJoinWaitsForIt() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger finished = new AtomicInteger();
      Task<Object> t =
          group.submit(
              () -> {
                running.countDown();
                release.await();
                finished.incrementAndGet();
                return null;
              });
      running.await();
      assertThat(t.cancel(false)).isTrue();
      assertThat(t.isDone()).isTrue();
      Thread releaser = Thread.ofPlatform().start(release::countDown);
      group.join();
      releaser.join();
      assertThat(finished.get()).as("join returned before the cancelled task's code ended").isOne();
    }
  }
}
