package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link TaskGroup#asExecutorService()}: the {@link ExecutorService} contract, to the letter. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupExecutorServiceTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void submitReturnsFuturesWithResults(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es").maxConcurrency(2).build()) {
      ExecutorService es = group.asExecutorService();
      assertThat(es.submit(() -> 42).get()).isEqualTo(42);
      assertThat(es.submit(() -> {}).get()).isNull();
      assertThat(es.submit(() -> {}, "given").get()).isEqualTo("given");
      CountDownLatch ran = new CountDownLatch(1);
      es.execute(ran::countDown);
      assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void aFailureBelongsToItsFutureAloneAndNeverCancelsTheGroupOrOtherTasks(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("es-iso").build()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch failedAlready = new CountDownLatch(1);
      Future<String> bystander =
          es.submit(
              () -> {
                failedAlready.await(); // an interrupt here would throw
                return "fine";
              });
      Task<String> groupTask =
          group.submit(
              () -> {
                failedAlready.await();
                return "group task fine";
              });
      Future<Object> failing =
          es.submit(
              () -> {
                throw new IllegalStateException("mine");
              });
      assertThatThrownBy(failing::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .hasMessage("mine");
      es.execute(
          () -> {
            throw new IllegalStateException("execute's own");
          });
      failedAlready.countDown();
      assertThat(bystander.get()).isEqualTo("fine");
      assertThat(groupTask.join()).isEqualTo("group task fine");
      group.join(); // no TaskGroupException: the failures were the futures'
      assertThat(group.isCancelled()).isFalse();
      assertThat(es.submit(() -> "still open").get()).isEqualTo("still open");
    }
  }

  @Test
  @Timeout(10)
  void awaitTerminationBeforeShutdownTimesOut() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      assertThat(es.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
      assertThat(es.isShutdown()).isFalse();
      assertThat(es.isTerminated()).isFalse();
      es.submit(() -> 1).get();
      assertThat(es.awaitTermination(20, TimeUnit.MILLISECONDS)).isFalse();
      assertThat(es.awaitTermination(0, TimeUnit.MILLISECONDS)).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void anInterruptedAwaitTerminationThrowsInterruptedException() {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> es.awaitTermination(1, TimeUnit.MINUTES))
          .isInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void shutdownLetsSubmittedTasksFinishAndRefusesNewOnes(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-shut").maxConcurrency(1).build()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch release = new CountDownLatch(1);
      Future<String> running =
          es.submit(
              () -> {
                release.await();
                return "ran";
              });
      Future<String> queued = es.submit(() -> "queued ran");
      es.shutdown();
      assertThat(es.isShutdown()).isTrue();
      assertThat(es.isTerminated()).isFalse();
      assertThatThrownBy(() -> es.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
      assertThatThrownBy(() -> es.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
      assertThat(es.awaitTermination(20, TimeUnit.MILLISECONDS)).isFalse();
      release.countDown();
      assertThat(es.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      assertThat(es.isTerminated()).isTrue();
      assertThat(running.get()).isEqualTo("ran");
      assertThat(queued.get()).isEqualTo("queued ran");
      // the group stays open
      assertThat(group.submit(() -> "group open").join()).isEqualTo("group open");
      es.shutdown(); // idempotent
      assertThat(es.isTerminated()).isTrue();
    }
  }

  @Test
  @Timeout(10)
  void shutdownOfAnIdleViewTerminatesAtOnce() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      es.shutdown();
      assertThat(es.isTerminated()).isTrue();
      assertThat(es.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void shutdownNowReturnsNeverStartedTasksAndInterruptsRunningOnes(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("es-now").maxConcurrency(1).build()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch interrupted = new CountDownLatch(1);
      CountDownLatch mayEnd = new CountDownLatch(1);
      Future<?> active =
          es.submit(
              () -> {
                running.countDown();
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  interrupted.countDown();
                }
                // ends only when the test says so, to observe "shut down but not terminated"
                boolean done = false;
                while (!done) {
                  try {
                    done = mayEnd.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    // keep waiting
                  }
                }
              });
      running.await();
      AtomicInteger queuedRan = new AtomicInteger();
      List<Runnable> submittedRunnables = new ArrayList<>();
      List<Future<?>> queued = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Runnable r = queuedRan::incrementAndGet;
        submittedRunnables.add(r);
        queued.add(es.submit(r));
      }
      List<Runnable> neverStarted = es.shutdownNow();
      assertThat(neverStarted).hasSize(3);
      assertThat(es.isShutdown()).isTrue();
      assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(es.isTerminated()).as("a task is still running").isFalse();
      for (Future<?> f : queued) {
        assertThat(f.isCancelled()).isTrue();
      }
      assertThat(active.isCancelled()).isTrue();
      mayEnd.countDown();
      assertThat(es.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      assertThat(es.isTerminated()).isTrue();
      assertThat(queuedRan.get()).isZero();
      // the returned runnables are the never-started tasks: running them does their work
      for (Runnable r : neverStarted) {
        r.run();
      }
      assertThat(queuedRan.get()).isEqualTo(3);
      group.join();
      assertThat(group.isCancelled()).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void shutdownNowOfAViewLeavesTheGroupsOwnAndOtherViewsTasksAlone() throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(4).build()) {
      ExecutorService mine = group.asExecutorService();
      ExecutorService other = group.asExecutorService();
      CountDownLatch release = new CountDownLatch(1);
      Future<String> othersTask =
          other.submit(
              () -> {
                release.await();
                return "other";
              });
      Task<String> groupTask =
          group.submit(
              () -> {
                release.await();
                return "group";
              });
      mine.submit(
          () -> {
            release.await();
            return null;
          });
      mine.shutdownNow();
      assertThat(other.isShutdown()).isFalse();
      release.countDown();
      assertThat(othersTask.get()).isEqualTo("other");
      assertThat(groupTask.join()).isEqualTo("group");
      assertThat(mine.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void invokeAllReturnsEveryFutureDoneInOrder(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-all").maxConcurrency(2).build()) {
      ExecutorService es = group.asExecutorService();
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        int n = i;
        tasks.add(
            () -> {
              if (n == 4) {
                throw new IllegalStateException("four");
              }
              return n * n;
            });
      }
      List<Future<Integer>> futures = es.invokeAll(tasks);
      assertThat(futures).hasSize(10).allMatch(Future::isDone);
      for (int i = 0; i < 10; i++) {
        if (i == 4) {
          int index = i;
          assertThatThrownBy(() -> futures.get(index).get())
              .isInstanceOf(ExecutionException.class)
              .cause()
              .hasMessage("four");
        } else {
          assertThat(futures.get(i).get()).isEqualTo(i * i);
        }
      }
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void timedInvokeAllCancelsTasksUnfinishedAtTheDeadline(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-all-t").maxConcurrency(2).build()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch slowInterrupted = new CountDownLatch(1);
      List<Callable<String>> tasks =
          List.of(
              () -> "fast",
              () -> {
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  slowInterrupted.countDown();
                  throw e;
                }
                return "slow";
              });
      List<Future<String>> futures = es.invokeAll(tasks, 200, TimeUnit.MILLISECONDS);
      assertThat(futures).hasSize(2).allMatch(Future::isDone);
      assertThat(futures.get(0).get()).isEqualTo("fast");
      assertThat(futures.get(1).isCancelled()).isTrue();
      assertThatThrownBy(() -> futures.get(1).get()).isInstanceOf(CancellationException.class);
      assertThat(slowInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void invokeAnyReturnsASuccessfulResultAndCancelsTheRest(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-any").maxConcurrency(3).build()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch slowInterrupted = new CountDownLatch(1);
      AtomicBoolean slowStarted = new AtomicBoolean();
      List<Callable<String>> tasks =
          List.of(
              () -> {
                throw new IllegalStateException("bad");
              },
              () -> {
                slowStarted.set(true);
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  slowInterrupted.countDown();
                  throw e;
                }
                return "slow";
              },
              () -> "good");
      assertThat(es.invokeAny(tasks)).isEqualTo("good");
      // invokeAny cancels the rest: the slow task either never started or was interrupted
      assertThat(!slowStarted.get() || slowInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
      assertThat(group.isCancelled()).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void invokeAnyThrowsExecutionExceptionWhenEveryTaskFails() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      List<Callable<String>> tasks =
          List.of(
              () -> {
                throw new IllegalStateException("a");
              },
              () -> {
                throw new IllegalStateException("b");
              });
      assertThatThrownBy(() -> es.invokeAny(tasks)).isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> es.invokeAny(List.<Callable<String>>of()))
          .isInstanceOf(IllegalArgumentException.class);
      group.join();
    }
  }

  @Test
  @Timeout(10)
  void timedInvokeAnyThrowsTimeoutExceptionWhenNothingFinishesInTime() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      CountDownLatch release = new CountDownLatch(1);
      List<Callable<String>> tasks =
          List.of(
              () -> {
                release.await();
                return "late";
              });
      assertThatThrownBy(() -> es.invokeAny(tasks, 50, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);
      release.countDown();
      group.join();
    }
  }

  @Test
  @Timeout(10)
  void invokeAllAfterShutdownIsRejected() {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      es.shutdown();
      assertThatThrownBy(() -> es.invokeAll(List.of(() -> 1)))
          .isInstanceOf(RejectedExecutionException.class);
    }
  }

  @Test
  @Timeout(10)
  void nullTasksThrowNullPointerException() {
    try (TaskGroup group = TaskGroup.open()) {
      ExecutorService es = group.asExecutorService();
      assertThatThrownBy(() -> es.execute(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> es.submit((Callable<Object>) null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> es.invokeAll(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void closingTheViewWaitsForItsTasks(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-close").build()) {
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService es = group.asExecutorService();
      try (es) {
        es.submit(
            () -> {
              release.await();
              done.set(true);
              return null;
            });
        Thread.ofPlatform().start(release::countDown);
      }
      assertThat(done.get()).isTrue();
      assertThat(es.isTerminated()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void waitingOnAViewFutureFromInsideTheGroupDoesNotDeadlock(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("es-nested").maxConcurrency(1).build()) {
      ExecutorService es = group.asExecutorService();
      Future<String> outer = es.submit(() -> es.submit(() -> "inner").get());
      assertThat(outer.get(5, TimeUnit.SECONDS)).isEqualTo("inner");
      List<Future<Integer>> all =
          es.submit(() -> es.invokeAll(List.<Callable<Integer>>of(() -> 1, () -> 2))).get();
      assertThat(all.get(1).get()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void invokeAnyFromInsideATaskOfAOneSlotGroupCompletes(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("es-any-inside").maxConcurrency(1).build();
    try {
      ExecutorService es = group.asExecutorService();
      Future<String> outer =
          es.submit(() -> es.invokeAny(List.<Callable<String>>of(() -> "a", () -> "b")));
      try {
        assertThat(outer.get(5, TimeUnit.SECONDS)).isIn("a", "b");
      } catch (TimeoutException e) {
        throw new AssertionError(
            "invokeAny inside a task of a group with maxConcurrency 1 hangs: the caller holds the"
                + " only slot while it waits (in ExecutorCompletionService.take) for tasks queued"
                + " behind it",
            e);
      }
    } finally {
      group.cancel();
      try {
        group.close();
      } catch (RuntimeException ignored) {
        // cleanup only
      }
    }
  }

  @Test
  @Timeout(20)
  void aTaskAcceptedConcurrentlyWithShutdownNeverRunsAfterTheViewReportedTerminated()
      throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(2).build()) {
      for (int round = 0; round < 1000; round++) {
        ExecutorService es = group.asExecutorService();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean sawTerminated = new AtomicBoolean();
        AtomicBoolean ranAfterTerminated = new AtomicBoolean();
        List<Thread> submitters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          submitters.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          start.await();
                          es.execute(
                              () -> {
                                if (sawTerminated.get()) {
                                  ranAfterTerminated.set(true);
                                }
                              });
                        } catch (RejectedExecutionException | InterruptedException e) {
                          // lost the race: fine
                        }
                      }));
        }
        start.countDown();
        es.shutdown();
        if (es.isTerminated()) {
          sawTerminated.set(true);
        }
        for (Thread submitter : submitters) {
          submitter.join();
        }
        assertThat(es.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        group.join();
        assertThat(ranAfterTerminated.get())
            .as("round %d: a task ran after isTerminated() returned true", round)
            .isFalse();
      }
    }
  }
}
