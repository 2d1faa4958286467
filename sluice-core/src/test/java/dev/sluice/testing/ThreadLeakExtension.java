package dev.sluice.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Fails a test that leaves threads behind, or whose worker threads failed without the test
 * noticing.
 *
 * <ul>
 *   <li>Before each test it records the live platform threads. After the test it waits up to {@link
 *       #GRACE} for platform threads started since to end, and fails, naming them with their
 *       stacks, if any is still alive. JVM and JUnit housekeeping threads (virtual-thread carriers,
 *       innocuous threads, common-pool workers, {@code junit-*}) are ignored.
 *   <li>Virtual threads are not listed by {@link Thread#getAllStackTraces()}, so they are tracked
 *       by the {@link Workers} this extension injects as a test method parameter: after the test
 *       every worker, platform or virtual, must finish within {@link #GRACE}. Stragglers are
 *       interrupted so that they do not disturb the next test, and reported.
 *   <li>A worker failure that the test never retrieved through {@link Worker#join()} or {@link
 *       Worker#failure()} fails the test.
 * </ul>
 */
public final class ThreadLeakExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  /** How long after a test its threads may take to end. */
  public static final Duration GRACE = Duration.ofSeconds(5);

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ThreadLeakExtension.class);
  private static final String SNAPSHOT = "platform-threads-before";
  private static final String WORKERS = "workers";

  @Override
  public void beforeEach(ExtensionContext context) {
    Set<Long> before = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      before.add(thread.threadId());
    }
    context.getStore(NAMESPACE).put(SNAPSHOT, before);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Workers.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    Workers workers = store.get(WORKERS, Workers.class);
    if (workers == null) {
      workers = new Workers();
      store.put(WORKERS, workers);
    }
    return workers;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    long deadline = System.nanoTime() + GRACE.toNanos();
    List<String> leaks = new ArrayList<>();
    List<Throwable> unreported = new ArrayList<>();
    Set<Long> workerThreads = new HashSet<>();

    Workers workers = store.get(WORKERS, Workers.class);
    if (workers != null) {
      List<Worker<?>> started = workers.started();
      List<Worker<?>> alive = new ArrayList<>();
      for (Worker<?> worker : started) {
        workerThreads.add(worker.thread().threadId());
        if (!joinUntil(worker.thread(), deadline)) {
          alive.add(worker);
        }
      }
      for (Worker<?> worker : alive) {
        leaks.add(worker.describe() + " is still alive: " + worker.stack());
        worker.interrupt();
      }
      for (Worker<?> worker : alive) {
        worker.thread().join(1_000);
      }
      for (Worker<?> worker : started) {
        if (alive.contains(worker)) {
          continue; // reported as a leak; its failure is likely our own interrupt
        }
        Throwable failure = worker.unreportedFailure();
        if (failure != null) {
          unreported.add(failure);
        }
      }
    }

    @SuppressWarnings("unchecked")
    Set<Long> before = (Set<Long>) store.get(SNAPSHOT, Set.class);
    if (before != null) {
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        if (!before.contains(thread.threadId())
            && !workerThreads.contains(thread.threadId())
            && !isHousekeeping(thread)
            && !joinUntil(thread, deadline)) {
          leaks.add(
              "thread '"
                  + thread.getName()
                  + "' started during the test is still alive: "
                  + stackOf(thread));
        }
      }
    }

    if (leaks.isEmpty() && unreported.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder();
    if (!leaks.isEmpty()) {
      message.append(leaks.size()).append(" thread(s) outlived the test by ").append(GRACE);
      leaks.stream().limit(5).forEach(leak -> message.append("\n- ").append(leak));
    }
    if (!unreported.isEmpty()) {
      if (!message.isEmpty()) {
        message.append('\n');
      }
      message
          .append(unreported.size())
          .append(" worker failure(s) never reached the test thread; the first: ")
          .append(unreported.get(0));
    }
    AssertionError error = new AssertionError(message.toString());
    unreported.stream().limit(5).forEach(error::addSuppressed);
    throw error;
  }

  private static boolean joinUntil(Thread thread, long deadline) throws InterruptedException {
    long remaining = deadline - System.nanoTime();
    if (remaining > 0) {
      TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
    }
    return !thread.isAlive();
  }

  private static boolean isHousekeeping(Thread thread) {
    String type = thread.getClass().getName();
    return type.equals("jdk.internal.misc.CarrierThread")
        || type.equals("jdk.internal.misc.InnocuousThread")
        || (thread instanceof ForkJoinWorkerThread worker
            && worker.getPool() == ForkJoinPool.commonPool())
        || thread.getName().startsWith("junit-")
        // JDK 24+: the timer thread of the virtual-thread scheduler (a ForkJoinPool), started
        // lazily by the first timed park of a virtual thread.
        || thread.getName().endsWith("-delayScheduler")
        || thread.getName().equals("VirtualThread-unparker");
  }

  private static String stackOf(Thread thread) {
    StringBuilder text = new StringBuilder(thread.getState().toString());
    for (StackTraceElement frame : thread.getStackTrace()) {
      text.append("\n\tat ").append(frame);
    }
    return text.toString();
  }
}
