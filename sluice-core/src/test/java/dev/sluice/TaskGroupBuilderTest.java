package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.ThreadLeakExtension;
import dev.sluice.tg.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Options of {@link TaskGroup.Builder}: defaults, each option's effect, and rejected settings. */
@ExtendWith(ThreadLeakExtension.class)
class TaskGroupBuilderTest {

  @Test
  @Timeout(10)
  void openRunsTasksOnVirtualThreadsByDefault() throws Exception {
    try (TaskGroup group = TaskGroup.open()) {
      assertThat(group.submit(() -> Thread.currentThread().isVirtual()).join()).isTrue();
      assertThat(group.name()).isNotBlank();
    }
  }

  @Test
  @Timeout(10)
  void aBuilderWithoutOptionsRunsTasksOnVirtualThreads() throws Exception {
    try (TaskGroup group = TaskGroup.builder().build()) {
      assertThat(group.submit(() -> Thread.currentThread().isVirtual()).join()).isTrue();
    }
  }

  @Test
  @Timeout(10)
  void virtualThreadsRunsTasksOnVirtualThreadsNamedAfterTheGroup() throws Exception {
    String name = Names.unique("virt");
    try (TaskGroup group = TaskGroup.builder().name(name).virtualThreads().build()) {
      Thread t = group.submit(Thread::currentThread).join();
      assertThat(t.isVirtual()).isTrue();
      assertThat(t.getName()).isEqualTo("sluice-" + name + "-1"); // one task, one runner: the first
      Thread second = group.submit(Thread::currentThread).join();
      assertThat(second.getName()).matches("sluice-" + name + "-[12]");
    }
  }

  @Test
  @Timeout(10)
  void platformThreadsRunsTasksOnPlatformThreadsNamedSluiceGroupNumber() throws Exception {
    String name = Names.unique("plat");
    try (TaskGroup group =
        TaskGroup.builder().name(name).platformThreads().maxConcurrency(4).build()) {
      List<Task<Thread>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(group.submit(Thread::currentThread));
      }
      for (Task<Thread> task : tasks) {
        Thread t = task.join();
        assertThat(t.isVirtual()).isFalse();
        assertThat(t.getName()).matches("sluice-" + name + "-\\d+");
      }
    }
  }

  @Test
  @Timeout(10)
  void nameIsReportedByTheGroup() {
    try (TaskGroup group = TaskGroup.builder().name("crawl").build()) {
      assertThat(group.name()).isEqualTo("crawl");
      assertThat(group.toString()).contains("crawl");
    }
  }

  @Test
  @Timeout(10)
  void generatedNamesDifferBetweenGroups() {
    try (TaskGroup a = TaskGroup.open();
        TaskGroup b = TaskGroup.open()) {
      assertThat(a.name()).isNotEqualTo(b.name());
    }
  }

  @Test
  @Timeout(10)
  void threadFactoryMakesTheThreadsThatRunTasks() throws Exception {
    AtomicInteger made = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          made.incrementAndGet();
          return Thread.ofPlatform().name("custom-" + made.get()).unstarted(r);
        };
    try (TaskGroup group = TaskGroup.builder().threadFactory(factory).build()) {
      String threadName = group.submit(() -> Thread.currentThread().getName()).join();
      assertThat(threadName).startsWith("custom-");
    }
    assertThat(made.get()).isPositive();
  }

  @Test
  @Timeout(10)
  void failurePolicyDefaultsToFailFast() throws Exception {
    try (TaskGroup group = TaskGroup.builder().maxConcurrency(1).build()) {
      group.submit(
          () -> {
            throw new IllegalStateException("boom");
          });
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
      assertThat(group.isCancelled()).isTrue();
    } catch (TaskGroupException e) {
      throw new AssertionError("close must not report a failure join already reported", e);
    }
  }

  // ------------------------------------------------------------ rejected settings

  static Stream<Arguments> optionsSetTwice() {
    ThreadFactory factory = Thread.ofVirtual().factory();
    return Stream.of(
        set("name", b -> b.name("a").name("b"), "name was already set"),
        set(
            "maxConcurrency",
            b -> b.maxConcurrency(2).maxConcurrency(3),
            "maxConcurrency was already set"),
        set("maxPending", b -> b.maxPending(2).maxPending(3), "maxPending was already set"),
        set(
            "virtualThreads twice",
            b -> b.virtualThreads().virtualThreads(),
            "the thread kind was already set"),
        set(
            "platformThreads twice",
            b -> b.platformThreads().platformThreads(),
            "the thread kind was already set"),
        set(
            "virtualThreads then platformThreads",
            b -> b.virtualThreads().platformThreads(),
            "the thread kind was already set"),
        set(
            "platformThreads then threadFactory",
            b -> b.platformThreads().threadFactory(factory),
            "the thread kind was already set"),
        set(
            "threadFactory then virtualThreads",
            b -> b.threadFactory(factory).virtualThreads(),
            "the thread kind was already set"),
        set(
            "threadFactory twice",
            b -> b.threadFactory(factory).threadFactory(factory),
            "the thread kind was already set"),
        set(
            "failurePolicy",
            b -> b.failurePolicy(FailurePolicy.FAIL_FAST).failurePolicy(FailurePolicy.COLLECT_ALL),
            "failurePolicy was already set"),
        set(
            "retry",
            b -> b.retry(2, Backoff.none()).retry(3, Backoff.none(), t -> true),
            "retry was already set"));
  }

  private static Arguments set(String what, Consumer<TaskGroup.Builder> misuse, String message) {
    return Arguments.of(what, misuse, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optionsSetTwice")
  void settingAnOptionTwiceThrowsIllegalStateException(
      String what, Consumer<TaskGroup.Builder> misuse, String message) {
    assertThatThrownBy(() -> misuse.accept(TaskGroup.builder()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad("maxConcurrency 0", b -> b.maxConcurrency(0), "maxConcurrency must be >= 1: 0"),
        bad("maxConcurrency -5", b -> b.maxConcurrency(-5), "maxConcurrency must be >= 1: -5"),
        bad("maxPending 0", b -> b.maxPending(0), "maxPending must be >= 1: 0"),
        bad("maxPending -1", b -> b.maxPending(-1), "maxPending must be >= 1: -1"),
        bad("blank name", b -> b.name("  "), "name must not be blank: '  '"),
        bad("empty name", b -> b.name(""), "name must not be blank: ''"),
        bad("maxAttempts 0", b -> b.retry(0, Backoff.none()), "maxAttempts must be >= 1: 0"),
        bad(
            "maxAttempts -2",
            b -> b.retry(-2, Backoff.none(), t -> true),
            "maxAttempts must be >= 1: -2"));
  }

  private static Arguments bad(String what, Consumer<TaskGroup.Builder> misuse, String message) {
    return Arguments.of(what, misuse, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void aBadValueThrowsIllegalArgumentExceptionNamingOptionRuleAndValue(
      String what, Consumer<TaskGroup.Builder> misuse, String message) {
    assertThatThrownBy(() -> misuse.accept(TaskGroup.builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void aRejectedValueLeavesTheOptionUnset() {
    TaskGroup.Builder builder = TaskGroup.builder();
    assertThatThrownBy(() -> builder.maxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class);
    builder.maxConcurrency(2);
    assertThatThrownBy(() -> builder.maxPending(0)).isInstanceOf(IllegalArgumentException.class);
    builder.maxPending(2);
    builder.build().close();
  }

  static Stream<Arguments> nullArguments() {
    return Stream.of(
        nul("name", b -> b.name(nullOf())),
        nul("threadFactory", b -> b.threadFactory(nullOf())),
        nul("failurePolicy", b -> b.failurePolicy(nullOf())),
        nul("backoff", b -> b.retry(2, nullOf(), t -> true)),
        nul("retryOn", b -> b.retry(2, Backoff.none(), nullOf())),
        nul("backoff", b -> b.retry(2, nullOf())));
  }

  private static Arguments nul(String argument, Consumer<TaskGroup.Builder> misuse) {
    return Arguments.of(argument, misuse);
  }

  private static <T> T nullOf() {
    return null;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullArguments")
  void aNullArgumentThrowsNullPointerExceptionNamingIt(
      String argument, Consumer<TaskGroup.Builder> misuse) {
    assertThatThrownBy(() -> misuse.accept(TaskGroup.builder()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(argument);
  }

  @Test
  @Timeout(10)
  void submitRejectsNullTasksNamingTheArgument() {
    try (TaskGroup group = TaskGroup.open()) {
      assertThatThrownBy(
              () ->
                  group.submit(
                      TaskGroupBuilderTest.<java.util.concurrent.Callable<Object>>nullOf()))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("task");
      assertThatThrownBy(() -> group.submit((TaskGroup.Action) nullOf()))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("task");
    }
  }

  // ------------------------------------------------------------------- backoff

  @Test
  void exponentialBackoffDoublesFromInitialUpToMax() {
    Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(500));
    assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(500));
    assertThat(b.delay(60)).isEqualTo(Duration.ofMillis(500));
    assertThat(b.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void exponentialBackoffWithAHugeMaxNeverOverflows() {
    Backoff b = Backoff.exponential(Duration.ofSeconds(1), Duration.ofDays(365 * 1000L));
    Duration previous = Duration.ZERO;
    for (int retry = 1; retry < 200; retry++) {
      Duration d = b.delay(retry);
      assertThat(d.isNegative()).isFalse();
      assertThat(d).isGreaterThanOrEqualTo(previous);
      previous = d;
    }
  }

  @Test
  void jitterMovesEachDelayByAtMostTheFractionEitherWay() {
    Backoff b = Backoff.fixed(Duration.ofMillis(1000)).withJitter(0.2);
    boolean sawBelow = false;
    boolean sawAbove = false;
    for (int i = 0; i < 2000; i++) {
      Duration d = b.delay(1 + i % 5);
      assertThat(d).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
      sawBelow |= d.compareTo(Duration.ofMillis(1000)) < 0;
      sawAbove |= d.compareTo(Duration.ofMillis(1000)) > 0;
    }
    assertThat(sawBelow).as("some delay below the base").isTrue();
    assertThat(sawAbove).as("some delay above the base").isTrue();
  }

  @Test
  void jitterOfZeroKeepsDelaysAndJitterOfOneNeverGoesNegative() {
    Backoff exact = Backoff.exponential(Duration.ofMillis(10), Duration.ofSeconds(1)).withJitter(0);
    assertThat(exact.delay(3)).isEqualTo(Duration.ofMillis(40));
    Backoff wild = Backoff.fixed(Duration.ofMillis(10)).withJitter(1);
    for (int i = 0; i < 1000; i++) {
      assertThat(wild.delay(1)).isBetween(Duration.ZERO, Duration.ofMillis(20));
    }
  }

  @Test
  void noneAndFixedBackoffGiveConstantDelays() {
    assertThat(Backoff.none().delay(7)).isEqualTo(Duration.ZERO);
    assertThat(Backoff.fixed(Duration.ofMillis(3)).delay(9)).isEqualTo(Duration.ofMillis(3));
    assertThat(Backoff.fixed(Duration.ZERO).delay(1)).isEqualTo(Duration.ZERO);
  }

  @Test
  void backoffRejectsBadDurationsAndFractionsNamingRuleAndValue() {
    assertThatThrownBy(() -> Backoff.fixed(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must not be negative: PT-0.001S");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initial must be positive: PT0S");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max must be >= initial (PT2S): PT1S");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initial must not be negative: PT-1S");
    assertThatThrownBy(() -> Backoff.none().withJitter(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be between 0 and 1: 1.5");
    assertThatThrownBy(() -> Backoff.none().withJitter(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be between 0 and 1: NaN");
    assertThatThrownBy(() -> Backoff.fixed(nullOf()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), nullOf()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("max");
  }

  // --------------------------------------------------------------------- retry

  @Test
  @Timeout(10)
  void retryRunsAFailingTaskAgainUntilItSucceeds() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group = TaskGroup.builder().retry(3, Backoff.none()).build()) {
      Task<String> task =
          group.submit(
              () -> {
                if (attempts.incrementAndGet() < 3) {
                  throw new IllegalStateException("attempt " + attempts.get());
                }
                return "ok";
              });
      assertThat(task.join()).isEqualTo("ok");
      group.join();
      assertThat(attempts.get()).isEqualTo(3);
      assertThat(group.stats().retried()).isEqualTo(2);
      assertThat(group.stats().failed()).isZero();
      assertThat(group.stats().completed()).isEqualTo(1);
    }
  }

  @Test
  @Timeout(10)
  void aTaskFailingEveryAttemptFailsWithTheLastFailureAndEarlierOnesSuppressed() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group =
        TaskGroup.builder()
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .retry(3, Backoff.none())
            .build()) {
      Task<Object> task =
          group.submit(
              () -> {
                throw new IllegalStateException("attempt " + attempts.incrementAndGet());
              });
      assertThatThrownBy(task::join)
          .cause()
          .hasMessage("attempt 3")
          .satisfies(
              last ->
                  assertThat(allSuppressedMessages(last))
                      .containsExactlyInAnyOrder("attempt 1", "attempt 2"));
      assertThatThrownBy(group::join)
          .isInstanceOf(TaskGroupException.class)
          .satisfies(e -> assertThat(((TaskGroupException) e).failures()).hasSize(1));
      assertThat(attempts.get()).isEqualTo(3);
      assertThat(group.stats().retried()).isEqualTo(2);
      assertThat(group.stats().failed()).isEqualTo(1);
    }
  }

  private static List<String> allSuppressedMessages(Throwable t) {
    List<String> out = new ArrayList<>();
    for (Throwable s : t.getSuppressed()) {
      out.add(s.getMessage());
      out.addAll(allSuppressedMessages(s));
    }
    return out;
  }

  @Test
  @Timeout(10)
  void retryOnDecidesWhichFailuresAreRetried() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group =
        TaskGroup.builder()
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .retry(5, Backoff.none(), t -> t instanceof java.io.IOException)
            .build()) {
      Task<Object> task =
          group.submit(
              () -> {
                if (attempts.incrementAndGet() == 1) {
                  throw new java.io.IOException("transient");
                }
                throw new IllegalArgumentException("permanent");
              });
      assertThatThrownBy(task::join).cause().isInstanceOf(IllegalArgumentException.class);
      assertThat(attempts.get()).as("one retry for the IOException, none for the IAE").isEqualTo(2);
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    }
  }

  @Test
  @Timeout(10)
  void retryWaitsAsTheBackoffSaysBeforeEachRetry() throws Exception {
    List<Integer> asked = java.util.Collections.synchronizedList(new ArrayList<>());
    Backoff recording =
        retry -> {
          asked.add(retry);
          return Duration.ofMillis(40);
        };
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group = TaskGroup.builder().retry(3, recording).build()) {
      long start = System.nanoTime();
      Task<Integer> task =
          group.submit(
              () -> {
                if (attempts.incrementAndGet() < 3) {
                  throw new IllegalStateException("again");
                }
                return attempts.get();
              });
      assertThat(task.join()).isEqualTo(3);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(elapsed).as("two waits of 40 ms").isGreaterThanOrEqualTo(80);
      assertThat(asked).containsExactly(1, 2);
    }
  }

  @Test
  @Timeout(10)
  void retryWithAJitteredExponentialBackoffSucceedsOnALaterAttempt() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Backoff backoff =
        Backoff.exponential(Duration.ofMillis(5), Duration.ofMillis(20)).withJitter(0.5);
    try (TaskGroup group =
        TaskGroup.builder().maxConcurrency(2).retry(4, backoff, t -> true).build()) {
      Task<Integer> task =
          group.submit(
              () -> {
                if (attempts.incrementAndGet() < 4) {
                  throw new java.io.UncheckedIOException(new java.io.IOException("flaky"));
                }
                return attempts.get();
              });
      assertThat(task.join()).isEqualTo(4);
      group.join();
      assertThat(group.stats().retried()).isEqualTo(3);
    }
  }

  @Test
  @Timeout(10)
  void aRetryPredicateThatThrowsFailsTheTaskWithTheOriginalFailureSuppressed() throws Exception {
    try (TaskGroup group =
        TaskGroup.builder()
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .retry(
                3,
                Backoff.none(),
                t -> {
                  throw new IllegalStateException("predicate broke");
                })
            .build()) {
      Task<Object> task =
          group.submit(
              () -> {
                throw new java.io.IOException("original");
              });
      assertThatThrownBy(task::join)
          .cause()
          .hasMessage("predicate broke")
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .extracting(Throwable::getMessage)
                      .contains("original"));
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    }
  }

  @Test
  @Timeout(10)
  void retryWithoutPredicateDoesNotRetryInterrupts() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (TaskGroup group =
        TaskGroup.builder()
            .failurePolicy(FailurePolicy.COLLECT_ALL)
            .retry(4, Backoff.none())
            .build()) {
      Task<Object> task =
          group.submit(
              () -> {
                attempts.incrementAndGet();
                throw new InterruptedException("not a transient failure");
              });
      assertThatThrownBy(task::join).cause().isInstanceOf(InterruptedException.class);
      assertThat(attempts.get()).isEqualTo(1);
      assertThatThrownBy(group::join).isInstanceOf(TaskGroupException.class);
    }
  }
}
