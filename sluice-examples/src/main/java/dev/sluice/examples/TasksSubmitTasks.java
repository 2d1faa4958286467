package dev.sluice.examples;

import dev.sluice.Task;
import dev.sluice.TaskGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Seed pattern 1: tasks that submit new tasks.
 *
 * <p>Task 1 prints, pauses, submits task 2 to its own group without waiting for it, and prints
 * again; task 2 prints, pauses and prints. The task reaches its group either as an argument or
 * through {@link TaskGroup#current()}. The caller's {@link TaskGroup#join()} returns only once task
 * 2, which the caller never saw, has finished too: the group counts every task, follow-ups
 * included.
 *
 * <p>The seed gets its output order (task 1 running, task 2 running, task 1 done, task 2 done) from
 * sleeps of one second. Here two latches make that order certain whatever the pause: task 1 prints
 * "done" once task 2 has started, and task 2 prints "done" once task 1 has returned, which it can
 * only do because it did not wait for task 2.
 *
 * <p>The seed also warns that a task must never wait for a task it submitted, because in a full
 * pool the awaited task never gets a thread. In a task group that wait is safe: {@link
 * #waitForChild} waits for a child in a group that runs one task at a time, and {@link #sumTree} in
 * a group of two splits a sum into a tree of tasks in which every parent waits for its children.
 */
public final class TasksSubmitTasks {

  /** How a task reaches the group it runs in. */
  public enum Reach {
    /** The group is passed to the task as an argument. */
    ARGUMENT,
    /** The task looks its group up with {@link TaskGroup#current()}. */
    CURRENT
  }

  /**
   * What a run did, for a test to check without reading the printed output.
   *
   * @param withArgument the lines printed when the group is passed as an argument, ending with the
   *     caller's "join returned"
   * @param withCurrent the same when the task finds its group with {@link TaskGroup#current()}
   * @param childResult what a task got by waiting for its child in a group of one
   * @param treeSum the sum of 1..1000 computed by a tree of tasks that wait for their children
   */
  public record Result(
      List<String> withArgument, List<String> withCurrent, String childResult, long treeSum) {

    public Result {
      withArgument = List.copyOf(withArgument);
      withCurrent = List.copyOf(withCurrent);
    }
  }

  private TasksSubmitTasks() {}

  /** Runs the example with the seed's one-second pauses. */
  public static void main(String[] args) throws InterruptedException {
    run(Duration.ofSeconds(1), System.out);
  }

  /**
   * Runs both variants of task 1 and task 2, then the waits.
   *
   * @param pause how long each task pauses (the seed: one second)
   * @param out where to print
   * @return what happened
   */
  public static Result run(Duration pause, PrintStream out) throws InterruptedException {
    out.println("-- the group passed as an argument");
    List<String> withArgument = submitWithoutWaiting(pause, Reach.ARGUMENT, out);
    out.println("-- the group found with TaskGroup.current()");
    List<String> withCurrent = submitWithoutWaiting(pause, Reach.CURRENT, out);
    out.println("-- waiting for a submitted task is safe");
    String childResult = waitForChild(out);
    long treeSum = sumTree(1000, out);
    return new Result(withArgument, withCurrent, childResult, treeSum);
  }

  /** Prints each line and keeps it, in the order printed. */
  private static final class Log {
    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();

    Log(PrintStream out) {
      this.out = out;
    }

    synchronized void print(String line) {
      out.println(line);
      lines.add(line);
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }
  }

  /**
   * The seed's two tasks: task 1 submits task 2 and returns without waiting for it.
   *
   * @param pause how long each task pauses
   * @param reach how task 1 reaches its group
   * @param out where to print
   * @return the lines printed, in order, the last being the caller's "join returned"
   */
  public static List<String> submitWithoutWaiting(Duration pause, Reach reach, PrintStream out)
      throws InterruptedException {
    Log log = new Log(out);
    CountDownLatch task2Started = new CountDownLatch(1);
    CountDownLatch task1Done = new CountDownLatch(1);

    // region task2
    TaskGroup.Action task2 =
        () -> {
          log.print("task 2 running");
          task2Started.countDown();
          Thread.sleep(pause);
          task1Done.await(); // task 1 returns without waiting for us
          log.print("task 2 done");
        };
    // endregion

    try (TaskGroup group = TaskGroup.open()) {
      if (reach == Reach.ARGUMENT) {
        // region submit-by-argument
        group.submit(() -> task1(group, task2, pause, log, task2Started, task1Done));
        group.join(); // returns once task 1 and task 2, which task 1 submitted, are done
        // endregion
      } else {
        // region submit-by-current
        group.submit(
            () -> {
              log.print("task 1 running");
              Thread.sleep(pause);
              TaskGroup.current().orElseThrow().submit(task2); // the group this task runs in
              task2Started.await();
              log.print("task 1 done");
              task1Done.countDown();
            });
        group.join();
        // endregion
      }
      log.print("join returned");
    }
    return log.lines();
  }

  // region task1
  static void task1(
      TaskGroup group,
      TaskGroup.Action task2,
      Duration pause,
      Log log,
      CountDownLatch task2Started,
      CountDownLatch task1Done)
      throws InterruptedException {
    log.print("task 1 running");
    Thread.sleep(pause);
    group.submit(task2); // from inside a task: never blocks, and task 1 does not wait for it
    task2Started.await(); // the seed sleeps instead; only to print in the seed's order
    log.print("task 1 done");
    task1Done.countDown();
  }

  // endregion

  /**
   * The seed's warning made safe: in a group that runs one task at a time, a task submits a child
   * and waits for it. A pool of one thread would deadlock here; the group runs the queued child on
   * the waiting task's own slot.
   *
   * @param out where to print
   * @return what the parent got from its child
   */
  public static String waitForChild(PrintStream out) throws InterruptedException {
    String result;
    // region wait-for-child
    try (TaskGroup group = TaskGroup.builder().name("one-slot").maxConcurrency(1).build()) {
      Task<String> parent =
          group.submit(
              () -> {
                Task<String> child = group.submit(() -> "child result");
                return "parent got '" + child.join() + "'"; // waits; no deadlock
              });
      result = parent.join();
    }
    // endregion
    out.printf("maxConcurrency(1): %s%n", result);
    return result;
  }

  /**
   * A tree of tasks in a group of two slots: each task sums its range by splitting it in two
   * children and waiting for both, down to ranges of at most 10 numbers. At any moment far more
   * tasks wait than there are slots; a waiting task gives its slot back, so the tree completes.
   *
   * @param n sums 1..n, at least 1
   * @param out where to print
   * @return the sum
   */
  public static long sumTree(int n, PrintStream out) throws InterruptedException {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1: " + n);
    }
    long sum;
    long tasks;
    try (TaskGroup group = TaskGroup.builder().name("tree").maxConcurrency(2).build()) {
      sum = group.submit(() -> sum(group, 1, n)).join();
      tasks = group.stats().submitted();
    }
    out.printf(
        "maxConcurrency(2): %d tasks waiting for their children summed 1..%d = %d%n",
        tasks, n, sum);
    return sum;
  }

  // region sum-tree
  static long sum(TaskGroup group, int from, int to) throws InterruptedException {
    if (to - from < 10) {
      long sum = 0;
      for (int i = from; i <= to; i++) {
        sum += i;
      }
      return sum;
    }
    int middle = (from + to) >>> 1;
    Task<Long> left = group.submit(() -> sum(group, from, middle));
    Task<Long> right = group.submit(() -> sum(group, middle + 1, to));
    return left.join() + right.join(); // gives the slot back while it waits
  }
  // endregion
}
