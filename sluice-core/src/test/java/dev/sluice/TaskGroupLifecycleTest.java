package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.GroupThreads;
import dev.sluice.tg.ThreadKind;
import dev.sluice.tg.Waiting;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
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

/** close(), cancel(), the threads a group leaves behind, and stats(). */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupLifecycleTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void closeWaitsForAllWorkIncludingFollowUps(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("close-wait").maxConcurrency(2).build();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger done = new AtomicInteger();
    group.submit(
        () -> {
          release.await();
          group.submit(done::incrementAndGet);
          done.incrementAndGet();
        });
    AtomicInteger doneWhenClosed = new AtomicInteger(-1);
    Thread closer =
        Thread.ofPlatform()
            .start(
                () -> {
                  group.close();
                  doneWhenClosed.set(done.get());
                });
    Waiting.untilBlocked(closer); // fails if close returns without waiting
    assertThat(closer.getStackTrace())
        .as("close waits inside the group")
        .anyMatch(frame -> frame.getClassName().equals("dev.sluice.internal.Group"));
    release.countDown();
    closer.join();
    assertThat(doneWhenClosed.get()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void afterCloseSubmitIsRejected(ThreadKind kind) {
    TaskGroup group = kind.builder("closed").build();
    group.close();
    assertThatThrownBy(() -> group.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("task group '" + group.name() + "' is closed");
    assertThatThrownBy(() -> group.submit(() -> {})).isInstanceOf(RejectedExecutionException.class);
    group.close(); // idempotent
  }

  @Test
  @Timeout(10)
  void closeFromInsideATaskThrowsIllegalStateException() throws Exception {
    TaskGroup group = TaskGroup.builder().failurePolicy(FailurePolicy.COLLECT_ALL).build();
    Task<Object> t =
        group.submit(
            () -> {
              group.close();
              return null;
            });
    assertThatThrownBy(t::join)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close()");
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void afterCloseNoThreadOfTheGroupRemains(ThreadKind kind) throws Exception {
    GroupThreads threads = new GroupThreads();
    TaskGroup group = kind.builder("gone").maxConcurrency(4).build();
    for (int i = 0; i < 50; i++) {
      group.submit(
          () -> {
            threads.record();
            group.submit(threads::record);
          });
    }
    group.join();
    group.close();
    assertThat(threads.seen()).isNotEmpty().allMatch(kind::matches);
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void closeWithoutJoinAlsoLeavesNoThread(ThreadKind kind) {
    GroupThreads threads = new GroupThreads();
    TaskGroup group = kind.builder("gone2").maxConcurrency(3).build();
    for (int i = 0; i < 30; i++) {
      group.submit(threads::record);
    }
    group.close();
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void cancelRightAfterSubmitStopsATaskWhoseThreadHasNotStartedYet(ThreadKind kind)
      throws Exception {
    for (int round = 0; round < 20; round++) {
      GroupThreads threads = new GroupThreads();
      TaskGroup group = kind.builder("cancel-early").build();
      Task<Object> t =
          group.submit(
              () -> {
                threads.record();
                Thread.sleep(60_000);
                return null;
              });
      group.cancel();
      long start = System.nanoTime();
      group.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("round %d: close after cancel waited for a task that was never interrupted", round)
          .isLessThan(Duration.ofSeconds(5));
      assertThat(t.isCancelled()).isTrue();
      threads.assertAllEnded();
    }
  }

  /** A thread factory whose threads wait for {@code gate} before they run the group's code. */
  private static java.util.concurrent.ThreadFactory gated(CountDownLatch gate) {
    return r ->
        Thread.ofPlatform()
            .unstarted(
                () -> {
                  boolean open = false;
                  while (!open) {
                    try {
                      gate.await();
                      open = true;
                    } catch (InterruptedException e) {
                      // nobody interrupts these on purpose; keep waiting
                    }
                  }
                  r.run();
                });
  }

  @Test
  @Timeout(value = 7, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aTaskWhoseThreadStartsOnlyAfterTheGroupWasCancelledNeverRuns() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    TaskGroup group = TaskGroup.builder().threadFactory(gated(gate)).build();
    Task<Object> t =
        group.submit(
            () -> {
              ran.incrementAndGet();
              Thread.sleep(60_000);
              return null;
            });
    group.cancel();
    gate.countDown();
    long start = System.nanoTime();
    group.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("close after cancel waited for a task that was never interrupted")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(t.isCancelled()).isTrue();
    assertThat(ran.get()).as("runs of a task cancelled before its thread started").isZero();
  }

  @Test
  @Timeout(value = 7, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aTaskCancelledBeforeItsThreadStartsNeverRuns() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    try (TaskGroup group = TaskGroup.builder().threadFactory(gated(gate)).build()) {
      Task<Object> t =
          group.submit(
              () -> {
                ran.incrementAndGet();
                Thread.sleep(60_000);
                return null;
              });
      assertThat(t.cancel(true)).isTrue();
      gate.countDown();
      long start = System.nanoTime();
      group.join();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("join waited for a cancelled task that was never interrupted")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(ran.get()).as("runs of a task cancelled before its thread started").isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void anInterruptedCloseCancelsTheGroupAndKeepsTheInterrupt(ThreadKind kind) throws Exception {
    GroupThreads threads = new GroupThreads();
    TaskGroup group = kind.builder("close-int").build();
    CountDownLatch sleeping = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      group.submit(
          () -> {
            threads.record();
            sleeping.countDown();
            Thread.sleep(60_000);
          });
    }
    sleeping.await();
    AtomicBoolean interruptKept = new AtomicBoolean();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread closer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    group.close();
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                  interruptKept.set(Thread.currentThread().isInterrupted());
                });
    Waiting.untilBlocked(closer);
    closer.interrupt();
    closer.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(closer.isAlive()).as("close still waiting after its interrupt").isFalse();
    assertThat(interruptKept.get()).isTrue();
    assertThat(group.isCancelled()).isTrue();
    assertThat(thrown.get()).as("cancelled tasks' interrupts are no failures").isNull();
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void cancelWithNothingRunningMakesJoinThrowCancellationAndRefusesWork(ThreadKind kind)
      throws Exception {
    TaskGroup group = kind.builder("cancel-idle").build();
    group.submit(() -> 1).join();
    group.cancel();
    group.cancel(); // idempotent
    assertThat(group.isCancelled()).isTrue();
    assertThatThrownBy(group::join).isInstanceOf(java.util.concurrent.CancellationException.class);
    assertThatThrownBy(() -> group.submit(() -> 1))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("task group '" + group.name() + "' is cancelled");
    group.close();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @Test
  @Timeout(20)
  void platformThreadsAreReusedBetweenTasksAndEndAfterClose() throws Exception {
    GroupThreads threads = new GroupThreads();
    TaskGroup group = ThreadKind.PLATFORM.builder("reuse").maxConcurrency(1).build();
    for (int i = 0; i < 20; i++) {
      Thread runner =
          group
              .submit(
                  () -> {
                    threads.record();
                    return Thread.currentThread();
                  })
              .join();
      // Submit the next task only once this runner has stopped looking for work: parked idle
      // (kept alive for 200 ms) or ended. Spinning runners would take the next task either way.
      Waiting.until(
          () -> runner.getState() != Thread.State.RUNNABLE, "runner " + runner + " to go idle");
    }
    group.close();
    // An idle runner takes the next task; a group that did not keep its runners would have used
    // 20 (fewer than 10 allows for a test thread that stalls 200 ms between two tasks).
    assertThat(threads.seen().size()).as("threads for 20 sequential tasks").isLessThan(10);
    threads.assertAllEnded();
    GroupThreads.assertNoThreadNamedAfter(group.name());
  }

  @Test
  @Timeout(10)
  void threadsFromAThreadFactoryEndAfterClose() throws Exception {
    GroupThreads made = new GroupThreads();
    java.util.concurrent.ThreadFactory factory =
        r -> {
          Thread t = Thread.ofPlatform().unstarted(r);
          return t;
        };
    TaskGroup group = TaskGroup.builder().threadFactory(factory).maxConcurrency(3).build();
    for (int i = 0; i < 30; i++) {
      group.submit(made::record);
    }
    group.join();
    group.close();
    assertThat(made.seen()).isNotEmpty();
    made.assertAllEnded();
  }

  @Test
  @Timeout(10)
  void aThreadFactoryThatRefusesMakesSubmitFailWithoutHangingTheGroup() throws Exception {
    TaskGroup group = TaskGroup.builder().threadFactory(r -> null).build();
    assertThatThrownBy(() -> group.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    Thread joiner =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    group.join();
                  } catch (Exception expected) {
                    // whatever it reports, join must return
                  }
                });
    joiner.join(5_000);
    assertThat(joiner.isAlive()).as("join hangs after a refused thread").isFalse();
    try {
      group.close();
    } catch (TaskGroupException expected) {
      // the refused start may be reported as a failure
    }
  }

  // ---------------------------------------------------------------- stats()

  @Test
  @Timeout(10)
  void statsCountSubmittedRunningPendingCompletedFailedRetriedAndCancelled() throws Exception {
    TaskGroup group =
        TaskGroup.builder()
            .maxConcurrency(1)
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .retry(3, Backoff.none(), t -> t instanceof IllegalStateException)
            .build();
    assertThat(group.stats()).isEqualTo(new TaskGroupStats(0, 0, 0, 0, 0, 0, 0));
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    group.submit(
        () -> {
          running.countDown();
          release.await();
        });
    running.await();
    Task<Object> failing =
        group.submit(
            () -> {
              throw new IllegalStateException("always");
            });
    Task<Object> victim = group.submit(() -> "never");
    AtomicInteger flaky = new AtomicInteger();
    group.submit(
        () -> {
          if (flaky.incrementAndGet() == 1) {
            throw new IllegalStateException("once");
          }
        });
    assertThat(group.stats()).isEqualTo(new TaskGroupStats(4, 1, 4, 0, 0, 0, 0));
    assertThat(victim.cancel(false)).isTrue();
    assertThat(group.stats()).isEqualTo(new TaskGroupStats(4, 1, 3, 0, 0, 0, 1));
    release.countDown();
    assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    assertThat(failing.isDone()).isTrue();
    // completed: the blocker and the flaky task; failed: 'always' after 3 attempts;
    // retried: 2 for 'always' + 1 for 'once'
    assertThat(group.stats()).isEqualTo(new TaskGroupStats(4, 0, 0, 2, 1, 3, 1));
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void statsRunningCountsTasksRunningNow(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("stats-run").maxConcurrency(3).build()) {
      CountDownLatch allRunning = new CountDownLatch(3);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < 5; i++) {
        group.submit(
            () -> {
              allRunning.countDown();
              release.await();
            });
      }
      allRunning.await();
      TaskGroupStats s = group.stats();
      assertThat(s.running()).isEqualTo(3);
      assertThat(s.pending()).isEqualTo(5);
      assertThat(s.submitted()).isEqualTo(5);
      release.countDown();
      group.join();
      assertThat(group.stats().completed()).isEqualTo(5);
      assertThat(group.stats().running()).isZero();
    }
  }
}
