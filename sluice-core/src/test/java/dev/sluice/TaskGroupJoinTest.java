package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.Peak;
import dev.sluice.tg.ThreadKind;
import dev.sluice.tg.Waiting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Submitting, follow-ups, the backlog bound, the concurrency bound and exact {@code join()}. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupJoinTest {

  /** Submits a chain: each task submits the next as a fire-and-forget follow-up. */
  private static void chain(TaskGroup group, int remaining, AtomicInteger ran) {
    if (remaining > 0) {
      group.submit(() -> chain(group, remaining - 1, ran));
    }
    ran.incrementAndGet(); // counted after the follow-up is submitted: join must wait for both
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(20)
  void joinReturnsOnlyAfterEveryFollowUpHasFinished(ThreadKind kind) throws Exception {
    for (int limit = 1; limit <= 3; limit++) {
      try (TaskGroup group = kind.builder("join").maxConcurrency(limit).build()) {
        AtomicInteger ran = new AtomicInteger();
        for (int root = 0; root < 4; root++) {
          group.submit(() -> chain(group, 200, ran));
        }
        group.join();
        assertThat(ran.get()).isEqualTo(4 * 201);
        assertThat(group.stats().pending()).isZero();
        assertThat(group.stats().completed()).isEqualTo(4 * 201);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void joinWaitsForAFollowUpSubmittedJustBeforeItsParentEnds(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("late").maxConcurrency(2).build()) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean childDone = new AtomicBoolean();
      group.submit(
          () -> {
            group.submit(
                () -> {
                  release.await();
                  childDone.set(true);
                  return null;
                });
          });
      Thread joiner =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      group.join();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      Waiting.untilBlocked(joiner); // fails if join returns without waiting
      assertThat(joiner.getStackTrace())
          .as("join waits inside the group")
          .anyMatch(frame -> frame.getClassName().equals("dev.sluice.internal.Group"));
      release.countDown();
      joiner.join();
      assertThat(childDone.get()).isTrue();
    }
  }

  @Test
  @Timeout(10)
  void joinOnAnEmptyGroupReturnsAtOnce() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      group.join(); // nothing to wait for: a join that waited anyway would hang (@Timeout)
      group.join();
      assertThat(group.stats()).isEqualTo(new TaskGroupStats(0, 0, 0, 0, 0, 0, 0));
      // An empty join neither closes the group nor leaves it thinking work is done for good.
      assertThat(group.submit(() -> 42).join()).isEqualTo(42);
      group.join();
      assertThat(group.stats().completed()).isEqualTo(1);
      assertThat(group.stats().pending()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(20)
  void joinCanBeCalledAgainAfterMoreWork(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("again").maxConcurrency(2).build()) {
      AtomicInteger ran = new AtomicInteger();
      for (int round = 1; round <= 5; round++) {
        group.submit(() -> chain(group, 50, ran));
        group.join();
        assertThat(ran.get()).isEqualTo(round * 51);
      }
      assertThat(group.stats().submitted()).isEqualTo(5 * 51);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void joinFromInsideATaskOfTheGroupThrowsIllegalStateException(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("inner-join").build()) {
      Task<Object> task =
          group.submit(
              () -> {
                group.join();
                return "returned";
              });
      assertThatThrownBy(task::join)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("join()")
          .hasMessageContaining(group.name());
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    } catch (TaskGroupException e) {
      throw new AssertionError("close reported a failure join had already reported", e);
    }
  }

  @Test
  @Timeout(10)
  void joinFromATaskOfAnotherGroupWaitsForTheOtherGroup() throws Exception {
    try (TaskGroup outer = TaskGroup.open();
        TaskGroup inner = TaskGroup.builder().maxConcurrency(1).build()) {
      AtomicInteger ran = new AtomicInteger();
      inner.submit(() -> chain(inner, 30, ran));
      Task<Integer> t =
          outer.submit(
              () -> {
                inner.join();
                return ran.get();
              });
      assertThat(t.join()).isEqualTo(31);
    }
  }

  @Test
  @Timeout(10)
  void anInterruptedJoinThrowsInterruptedException() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      CountDownLatch release = new CountDownLatch(1);
      Task<Object> t =
          group.submit(
              () -> {
                release.await();
                return null;
              });
      Thread.currentThread().interrupt();
      assertThatThrownBy(group::join).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(t::join).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> t.get(1, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> t.get()).isInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).isFalse();
      assertThatThrownBy(() -> t.get(10, TimeUnit.MILLISECONDS))
          .isInstanceOf(java.util.concurrent.TimeoutException.class);
      release.countDown();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void concurrentJoinersAllReturnWhenTheLastTaskEnds(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("joiners").maxConcurrency(2).build()) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger ran = new AtomicInteger();
      group.submit(
          () -> {
            release.await();
            chain(group, 100, ran);
          });
      List<Thread> joiners = new ArrayList<>();
      List<Integer> seenAtReturn = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 4; i++) {
        joiners.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        group.join();
                        seenAtReturn.add(ran.get());
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
      for (Thread j : joiners) {
        Waiting.untilBlocked(j);
      }
      release.countDown();
      for (Thread j : joiners) {
        j.join();
      }
      assertThat(seenAtReturn).containsExactly(101, 101, 101, 101);
    }
  }

  @Test
  @Timeout(10)
  void tasksMayReturnNull() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      assertThat(group.submit(() -> (String) null).join()).isNull();
      assertThat(group.submit(() -> {}).get()).isNull();
    }
  }

  // --------------------------------------------------------------- current()

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void currentReturnsTheGroupOfTheCallingTaskAndEmptyOutside(ThreadKind kind) throws Exception {
    assertThat(TaskGroup.current()).isEmpty();
    try (TaskGroup group = kind.builder("current").maxConcurrency(1).build();
        TaskGroup other = kind.builder("other").build()) {
      Task<Optional<TaskGroup>> inTask = group.submit(TaskGroup::current);
      assertThat(inTask.join()).containsSame(group);
      Task<Optional<TaskGroup>> inFollowUp =
          group.submit(() -> group.submit(TaskGroup::current).join());
      assertThat(inFollowUp.join()).containsSame(group);
      Task<Optional<TaskGroup>> inOther =
          group.submit(() -> other.submit(TaskGroup::current).join());
      assertThat(inOther.join()).containsSame(other);
      AtomicReference<Optional<TaskGroup>> inPlainThread = new AtomicReference<>();
      group
          .submit(
              () -> {
                Thread t = Thread.ofPlatform().start(() -> inPlainThread.set(TaskGroup.current()));
                t.join();
              })
          .join();
      assertThat(inPlainThread.get()).isEmpty();
    }
    assertThat(TaskGroup.current()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(20)
  void followUpsSubmittedThroughCurrentAreFollowUpsLikeThoseThroughTheGroup(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("via-current").maxConcurrency(1).maxPending(1).build()) {
      AtomicInteger ran = new AtomicInteger();
      group.submit(
          () -> {
            TaskGroup g = TaskGroup.current().orElseThrow();
            for (int i = 0; i < 100; i++) { // would block at maxPending 1 if counted as outside
              g.submit(() -> ran.incrementAndGet());
            }
          });
      group.join();
      assertThat(ran.get()).isEqualTo(100);
    }
  }

  @Test
  @Timeout(10)
  void afterItsTasksTheThreadNoLongerReportsTheGroupAsCurrent() throws Exception {
    AtomicReference<Optional<TaskGroup>> afterRunner = new AtomicReference<>();
    CountDownLatch runnerDone = new CountDownLatch(1);
    java.util.concurrent.ThreadFactory wrapping =
        r ->
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      r.run();
                      afterRunner.set(TaskGroup.current());
                      runnerDone.countDown();
                    });
    try (TaskGroup group = TaskGroup.builder().threadFactory(wrapping).build()) {
      assertThat(group.submit(TaskGroup::current).join()).containsSame(group);
    }
    runnerDone.await();
    assertThat(afterRunner.get()).isEmpty();
  }

  // -------------------------------------------------------- follow-up ordering

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void followUpsRunBeforeQueuedOutsideWorkNewestFirst(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("order").maxConcurrency(1).build()) {
      Queue<String> order = new ConcurrentLinkedQueue<>();
      CountDownLatch outsideQueued = new CountDownLatch(1);
      group.submit(
          () -> {
            order.add("A");
            outsideQueued.await();
            for (int i = 1; i <= 3; i++) {
              String name = "F" + i;
              group.submit(() -> order.add(name));
            }
          });
      group.submit(() -> order.add("O1"));
      group.submit(() -> order.add("O2"));
      outsideQueued.countDown();
      group.join();
      assertThat(order).containsExactly("A", "F3", "F2", "F1", "O1", "O2");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void outsideWorkRunsOldestFirst(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("fifo").maxConcurrency(1).build()) {
      Queue<Integer> order = new ConcurrentLinkedQueue<>();
      CountDownLatch go = new CountDownLatch(1);
      group.submit(() -> go.await());
      for (int i = 0; i < 20; i++) {
        int n = i;
        group.submit(() -> order.add(n));
      }
      go.countDown();
      group.join();
      assertThat(order)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
    }
  }

  // ------------------------------------------------------------- maxPending

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void outsideSubmitBlocksWhileTheBacklogIsFullAndFollowUpsDoNot(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("backlog").maxConcurrency(1).maxPending(2).build()) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch followUpsSubmitted = new CountDownLatch(1);
      AtomicInteger followUpsRan = new AtomicInteger();
      group.submit(
          () -> {
            release.await();
            for (int i = 0; i < 50; i++) {
              group.submit(() -> followUpsRan.incrementAndGet());
            }
            followUpsSubmitted.countDown();
          });
      group.submit(() -> {}); // queued: 1
      group.submit(() -> {}); // queued: 2 = maxPending
      assertThat(group.stats().pending()).isEqualTo(3);
      CountDownLatch thirdSubmitted = new CountDownLatch(1);
      Thread submitter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    group.submit(() -> {});
                    thirdSubmitted.countDown();
                  });
      Waiting.untilBlocked(submitter);
      assertThat(thirdSubmitted.getCount())
          .as("outside submit returned with a full backlog")
          .isOne();
      release.countDown();
      assertThat(followUpsSubmitted.await(5, TimeUnit.SECONDS))
          .as("follow-ups submitted from inside never block")
          .isTrue();
      assertThat(thirdSubmitted.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
      assertThat(followUpsRan.get()).isEqualTo(50);
      assertThat(group.stats().submitted()).isEqualTo(54);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aQueuedOutsideTaskRunInlineByAWaiterFreesItsPlaceInTheBacklog(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("backlog-inline").maxConcurrency(1).maxPending(1).build()) {
      CompletableFuture<Task<String>> queuedRef = new CompletableFuture<>();
      CountDownLatch thirdSubmitted = new CountDownLatch(1);
      AtomicBoolean thirdInWhileFirstRan = new AtomicBoolean();
      Task<String> first =
          group.submit(
              () -> {
                String r = queuedRef.get().join(); // queued from outside: we run it inline
                thirdInWhileFirstRan.set(thirdSubmitted.await(5, TimeUnit.SECONDS));
                return r;
              });
      Task<String> queued = group.submit(() -> "queued"); // backlog full now
      Thread submitter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    group.submit(() -> "third");
                    thirdSubmitted.countDown();
                  });
      Waiting.untilBlocked(submitter);
      queuedRef.complete(queued);
      assertThat(first.join()).isEqualTo("queued");
      assertThat(thirdInWhileFirstRan.get())
          .as("the outside submitter got in once the queued task left the backlog")
          .isTrue();
      submitter.join();
      group.join();
    }
  }

  @Test
  @Timeout(10)
  void cancellingAQueuedOutsideTaskFreesItsPlaceInTheBacklog() throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(1).maxPending(1).build()) {
      CountDownLatch release = new CountDownLatch(1);
      group.submit(() -> release.await());
      Task<Object> queued = group.submit(() -> "queued");
      CountDownLatch submitted = new CountDownLatch(1);
      Thread submitter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    group.submit(() -> "next");
                    submitted.countDown();
                  });
      Waiting.untilBlocked(submitter);
      assertThat(queued.cancel(false)).isTrue();
      assertThat(submitted.await(5, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      group.join();
    }
  }

  @Test
  @Timeout(10)
  void anOutsideSubmitInterruptedWhileTheBacklogIsFullIsRejectedWithTheInterruptSet()
      throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(1).maxPending(1).build()) {
      CountDownLatch release = new CountDownLatch(1);
      group.submit(() -> release.await());
      group.submit(() -> {});
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean interruptSet = new AtomicBoolean();
      Thread submitter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      group.submit(() -> {});
                    } catch (Throwable t) {
                      thrown.set(t);
                      interruptSet.set(Thread.currentThread().isInterrupted());
                    }
                  });
      Waiting.untilBlocked(submitter);
      submitter.interrupt();
      submitter.join();
      assertThat(thrown.get()).isInstanceOf(RejectedExecutionException.class);
      assertThat(interruptSet.get()).isTrue();
      release.countDown();
      group.join();
      assertThat(group.stats().submitted()).isEqualTo(2);
    }
  }

  @Test
  @Timeout(10)
  void aSubmitterBlockedOnTheBacklogIsRejectedWhenTheGroupIsCancelled() throws Exception {
    TaskGroup group = TaskGroup.builder().maxConcurrency(1).maxPending(1).build();
    CountDownLatch started = new CountDownLatch(1);
    group.submit(
        () -> {
          started.countDown();
          Thread.sleep(60_000);
        });
    group.submit(() -> {});
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread submitter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    group.submit(() -> {});
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });
    started.await();
    Waiting.untilBlocked(submitter);
    group.cancel();
    submitter.join();
    assertThat(thrown.get()).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(group::join).isInstanceOf(java.util.concurrent.CancellationException.class);
    group.close();
  }

  // ---------------------------------------------------------- maxConcurrency

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(20)
  void runningTasksNeverExceedMaxConcurrency(ThreadKind kind) throws Exception {
    for (int limit : new int[] {1, 2, 5}) {
      Peak peak = new Peak();
      try (TaskGroup group = kind.builder("limit").maxConcurrency(limit).build()) {
        AtomicInteger maxRunningStat = new AtomicInteger();
        for (int i = 0; i < 300; i++) {
          group.submit(
              () -> {
                peak.enter();
                try {
                  maxRunningStat.accumulateAndGet(group.stats().running(), Math::max);
                  for (int j = 0; j < 3; j++) {
                    if (j == 1) {
                      group.submit(
                          () -> {
                            peak.enter();
                            Thread.yield();
                            peak.exit();
                          });
                    }
                    Thread.yield();
                  }
                } finally {
                  peak.exit();
                }
              });
        }
        group.join();
        assertThat(peak.max()).as("peak at limit %d", limit).isBetween(1, limit);
        assertThat(maxRunningStat.get()).isLessThanOrEqualTo(limit);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void upToMaxConcurrencyTasksRunAtOnce(ThreadKind kind) throws Exception {
    int limit = 4;
    CyclicBarrier allRunning = new CyclicBarrier(limit);
    try (TaskGroup group = kind.builder("reach").maxConcurrency(limit).build()) {
      List<Task<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < limit; i++) {
        tasks.add(group.submit(() -> allRunning.await(5, TimeUnit.SECONDS)));
      }
      for (Task<Integer> t : tasks) {
        t.join(); // a BrokenBarrier/Timeout would show that fewer than the limit ran at once
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void anUnboundedGroupRunsEverySubmittedTaskAtOnce(ThreadKind kind) throws Exception {
    int n = 32;
    CyclicBarrier allRunning = new CyclicBarrier(n);
    try (TaskGroup group = kind.builder("unbounded").build()) {
      for (int i = 0; i < n; i++) {
        group.submit(() -> allRunning.await(5, TimeUnit.SECONDS));
      }
      group.join();
    }
  }

  // -------------------------------------------------------- memory effects

  static final class Box {
    int value; // plain field: visibility comes from the group's happens-before edges
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void writesBeforeSubmitAreSeenByTheTaskAndTaskWritesBeforeJoinReturns(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("hb").maxConcurrency(3).build()) {
      for (int round = 0; round < 200; round++) {
        Box in = new Box();
        Box out = new Box();
        in.value = round;
        int expected = round;
        group.submit(
            () -> {
              if (in.value != expected) {
                throw new AssertionError("task saw " + in.value + ", expected " + expected);
              }
              group.submit(() -> out.value = expected + 1);
            });
        group.join();
        assertThat(out.value).isEqualTo(round + 1);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void passingTheGroupAsAnArgumentWorksFromAPlainThreadStartedByATask(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("pass").maxConcurrency(2).build()) {
      AtomicInteger ran = new AtomicInteger();
      group
          .submit(
              () -> {
                Thread helper = Thread.ofPlatform().start(() -> chain(group, 20, ran));
                helper.join();
              })
          .join();
      group.join();
      assertThat(ran.get()).isEqualTo(21);
    }
  }
}
