package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.CountingIterator;
import dev.sluice.tg.ThreadKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link TaskGroup#mapConcurrent}: laziness, the in-flight bound, order, failures, early close. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupMapConcurrentTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void nothingIsPulledOrSubmittedUntilTheStreamIsConsumed(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("mc-lazy").build()) {
      CountingIterator inputs = new CountingIterator(100);
      try (Stream<Completion<Integer, Integer>> s =
          group.mapConcurrent(inputs, 4, TaskGroup.Order.COMPLETION, x -> x)) {
        assertThat(inputs.pulled()).isZero();
        assertThat(group.stats().submitted()).isZero();
        Iterator<Completion<Integer, Integer>> it = s.iterator();
        it.next();
        assertThat(inputs.pulled()).isBetween(1, 4);
        assertThat(group.stats().submitted()).isEqualTo(inputs.pulled());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(20)
  void neverMoreThanMaxInFlightArePulledAndNotYetDelivered(ThreadKind kind) throws Exception {
    for (int maxInFlight : new int[] {1, 2, 5}) {
      for (TaskGroup.Order order : TaskGroup.Order.values()) {
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        CountingIterator inputs =
            new CountingIterator(
                200, pulled -> worst.accumulateAndGet(pulled - delivered.get(), Math::max));
        try (TaskGroup group = kind.builder("mc-bound").build();
            Stream<Completion<Integer, Integer>> s =
                group.mapConcurrent(
                    inputs,
                    maxInFlight,
                    order,
                    x -> {
                      if (ThreadLocalRandom.current().nextInt(4) == 0) {
                        Thread.sleep(1);
                      }
                      return x * 2;
                    })) {
          s.forEach(
              c -> {
                delivered.incrementAndGet();
                assertThat(c.resultOrThrow()).isEqualTo(c.input() * 2);
              });
        }
        assertThat(delivered.get()).isEqualTo(200);
        assertThat(worst.get())
            .as("in flight at maxInFlight %d, %s", maxInFlight, order)
            .isBetween(1, maxInFlight);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void completionOrderDeliversEachResultAsItFinishes(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("mc-compl").build()) {
      CountDownLatch othersDelivered = new CountDownLatch(3);
      List<Integer> seen = new ArrayList<>();
      try (Stream<Completion<Integer, Integer>> s =
          group.mapConcurrent(
              List.of(0, 1, 2, 3).iterator(),
              4,
              TaskGroup.Order.COMPLETION,
              x -> {
                if (x == 0) {
                  othersDelivered.await(); // finishes only after the others were handed over
                }
                return x;
              })) {
        s.forEach(
            c -> {
              seen.add(c.input());
              if (c.input() != 0) {
                othersDelivered.countDown();
              }
            });
      }
      assertThat(seen).hasSize(4).endsWith(0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void inputOrderDeliversInInputOrderWhateverTheFinishingOrder(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("mc-input").build()) {
      CountDownLatch lastDone = new CountDownLatch(1);
      List<Completion<Integer, String>> out;
      try (Stream<Completion<Integer, String>> s =
          group.mapConcurrent(
              IntStream.range(0, 4).iterator(),
              4,
              TaskGroup.Order.INPUT,
              x -> {
                if (x == 3) {
                  lastDone.countDown();
                } else {
                  lastDone.await(); // the last input finishes first
                }
                return "v" + x;
              })) {
        out = s.toList();
      }
      assertThat(out).extracting(Completion::index).containsExactly(0L, 1L, 2L, 3L);
      assertThat(out).extracting(Completion::result).containsExactly("v0", "v1", "v2", "v3");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void inputOrderKeepsOrderOverManyRandomDurations(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("mc-input2").maxConcurrency(4).build()) {
      List<Long> indexes;
      try (Stream<Completion<Integer, Integer>> s =
          group.mapConcurrent(
              IntStream.range(0, 300).iterator(),
              6,
              TaskGroup.Order.INPUT,
              x -> {
                for (int i = ThreadLocalRandom.current().nextInt(50); i > 0; i--) {
                  Thread.yield();
                }
                return x;
              })) {
        indexes = s.map(Completion::index).toList();
      }
      assertThat(indexes).containsExactlyElementsOf(LongStreamRange.of(300));
    }
  }

  /** 0..n-1 as boxed longs. */
  private static final class LongStreamRange {
    static List<Long> of(int n) {
      return java.util.stream.LongStream.range(0, n).boxed().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void perItemFailuresAreCapturedInTheirCompletionAndDoNotCancelTheGroup(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("mc-fail").maxConcurrency(3).build()) {
      List<Completion<Integer, Integer>> out;
      try (Stream<Completion<Integer, Integer>> s =
          group.mapConcurrent(
              IntStream.range(0, 20).iterator(),
              5,
              TaskGroup.Order.INPUT,
              x -> {
                if (x % 7 == 3) {
                  throw new IllegalArgumentException("bad " + x);
                }
                return x;
              })) {
        out = s.toList();
      }
      assertThat(out).hasSize(20);
      for (Completion<Integer, Integer> c : out) {
        if (c.input() % 7 == 3) {
          assertThat(c.succeeded()).isFalse();
          assertThat(c.failure())
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessage("bad " + c.input());
          assertThat(c.result()).isNull();
          assertThatThrownBy(c::resultOrThrow)
              .isInstanceOf(java.util.concurrent.CompletionException.class)
              .hasCause(c.failure())
              .hasMessageContaining("input " + c.index());
        } else {
          assertThat(c.succeeded()).isTrue();
          assertThat(c.resultOrThrow()).isEqualTo(c.input());
        }
      }
      assertThat(group.isCancelled()).isFalse();
      group.join(); // the failures belong to the completions, not the group
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void closingTheStreamEarlyCancelsTasksInFlight(ThreadKind kind) throws Exception {
    try (TaskGroup group = kind.builder("mc-close").build()) {
      int maxInFlight = 4;
      CountDownLatch slowStarted = new CountDownLatch(maxInFlight - 1);
      CountDownLatch interrupted = new CountDownLatch(maxInFlight - 1);
      CountingIterator inputs = new CountingIterator(1000);
      Completion<Integer, String> first;
      try (Stream<Completion<Integer, String>> s =
          group.mapConcurrent(
              inputs,
              maxInFlight,
              TaskGroup.Order.COMPLETION,
              x -> {
                if (x == 0) {
                  slowStarted.await();
                  return "fast";
                }
                slowStarted.countDown();
                try {
                  Thread.sleep(60_000);
                } catch (InterruptedException e) {
                  interrupted.countDown();
                  throw e;
                }
                return "slow";
              })) {
        first = s.findFirst().orElseThrow();
      }
      assertThat(first.result()).isEqualTo("fast");
      assertThat(interrupted.await(5, TimeUnit.SECONDS))
          .as("in-flight tasks interrupted on close")
          .isTrue();
      group.join(); // returns: nothing left running
      assertThat(inputs.pulled()).isLessThanOrEqualTo(maxInFlight + 1);
      assertThat(group.stats().cancelled()).isEqualTo(maxInFlight - 1);
      assertThat(group.isCancelled()).isFalse();
    }
  }

  @Test
  @Timeout(10)
  void aLimitWithoutMaxInFlightUsesMaxConcurrency() throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(3).build()) {
      AtomicInteger delivered = new AtomicInteger();
      AtomicInteger worst = new AtomicInteger();
      CountingIterator inputs =
          new CountingIterator(50, p -> worst.accumulateAndGet(p - delivered.get(), Math::max));
      try (Stream<Completion<Integer, Integer>> s = group.mapConcurrent(inputs, x -> x + 1)) {
        s.forEach(c -> delivered.incrementAndGet());
      }
      assertThat(delivered.get()).isEqualTo(50);
      assertThat(worst.get()).isBetween(1, 3);
    }
  }

  @Test
  @Timeout(10)
  void withoutMaxInFlightAnUnboundedGroupIsRefused() {
    try (TaskGroup group = TaskGroup.open()) {
      assertThatThrownBy(() -> group.mapConcurrent(List.of(1).iterator(), x -> x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxConcurrency");
    }
  }

  @Test
  @Timeout(10)
  void badArgumentsAreRejectedNamingThem() {
    try (TaskGroup group = TaskGroup.open()) {
      assertThatThrownBy(
              () -> group.mapConcurrent(List.of(1).iterator(), 0, TaskGroup.Order.INPUT, x -> x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxInFlight must be >= 1: 0");
      assertThatThrownBy(() -> group.mapConcurrent(null, 1, TaskGroup.Order.INPUT, x -> x))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("inputs");
      assertThatThrownBy(() -> group.mapConcurrent(List.of(1).iterator(), 1, null, x -> x))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("order");
      assertThatThrownBy(
              () -> group.mapConcurrent(List.of(1).iterator(), 1, TaskGroup.Order.INPUT, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("fn");
    }
  }

  @Test
  @Timeout(10)
  void aFunctionMayReturnNull() {
    try (TaskGroup group = TaskGroup.open();
        Stream<Completion<Integer, Object>> s =
            group.mapConcurrent(List.of(1, 2).iterator(), 2, TaskGroup.Order.INPUT, x -> null)) {
      List<Completion<Integer, Object>> out = s.toList();
      assertThat(out).hasSize(2).allMatch(Completion::succeeded);
      assertThat(out).extracting(Completion::result).containsOnlyNulls();
    }
  }

  @Test
  @Timeout(10)
  void emptyInputsGiveAnEmptyStream() {
    try (TaskGroup group = TaskGroup.open();
        Stream<Completion<Object, Object>> s =
            group.mapConcurrent(List.of().iterator(), 3, TaskGroup.Order.INPUT, x -> x)) {
      assertThat(s.count()).isZero();
    }
  }

  /** Maps with tasks that count themselves running and sleep until interrupted. */
  private static Stream<Completion<Integer, Integer>> sleepers(
      TaskGroup group, int n, CountDownLatch running, CountDownLatch interrupted) {
    return group.mapConcurrent(
        IntStream.range(0, n).iterator(),
        n,
        TaskGroup.Order.COMPLETION,
        x -> {
          running.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
          return x;
        });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(10)
  void anInterruptedConsumerGetsCancellationAndTheTasksInFlightAreCancelled(ThreadKind kind)
      throws Exception {
    try (TaskGroup group = kind.builder("mc-int").build()) {
      CountDownLatch running = new CountDownLatch(2);
      CountDownLatch interrupted = new CountDownLatch(2);
      java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean interruptKept =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread consumer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (Stream<Completion<Integer, Integer>> s =
                        sleepers(group, 2, running, interrupted)) {
                      s.forEach(c -> {});
                    } catch (Throwable t) {
                      thrown.set(t);
                    }
                    interruptKept.set(Thread.currentThread().isInterrupted());
                  });
      running.await();
      consumer.interrupt();
      consumer.join();
      assertThat(thrown.get()).isInstanceOf(CancellationException.class);
      assertThat(interruptKept.get()).as("interrupt status kept").isTrue();
      assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      group.join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aConsumerInterruptedBeforeItsTasksStartedStillCancelsThem(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("mc-int-early").build();
    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch interrupted = new CountDownLatch(2);
    Thread.currentThread().interrupt(); // already interrupted when it comes to wait
    try (Stream<Completion<Integer, Integer>> s = sleepers(group, 2, running, interrupted)) {
      assertThatThrownBy(() -> s.forEach(c -> {})).isInstanceOf(CancellationException.class);
      assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
    }
    // Each task was cancelled before or while it ran: it must not run, or be interrupted. join()
    // returns once every task has finished, so the counts are final then (a task that ran
    // uninterrupted would sleep a minute and trip the timeout).
    group.join();
    long ran = 2 - running.getCount();
    long wereInterrupted = 2 - interrupted.getCount();
    assertThat(wereInterrupted)
        .as("every task that started was interrupted (started: %d)", ran)
        .isEqualTo(ran);
    group.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ThreadKind.class)
  @Timeout(value = 15, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void mapConcurrentFromInsideATaskOfAOneSlotGroupCompletes(ThreadKind kind) throws Exception {
    TaskGroup group = kind.builder("mc-inside").maxConcurrency(1).build();
    try {
      Task<String> t =
          group.submit(
              () -> {
                try (Stream<Completion<Integer, Integer>> s =
                    group.mapConcurrent(
                        IntStream.range(0, 5).iterator(), 2, TaskGroup.Order.INPUT, x -> x * 10)) {
                  return s.map(c -> String.valueOf(c.result())).collect(Collectors.joining(","));
                }
              });
      try {
        assertThat(t.get(5, TimeUnit.SECONDS)).isEqualTo("0,10,20,30,40");
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError(
            "mapConcurrent inside a task of a group with maxConcurrency 1 hangs: the caller holds"
                + " the only slot while it waits for tasks queued behind it",
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
}
