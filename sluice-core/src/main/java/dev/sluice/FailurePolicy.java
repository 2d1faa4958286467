package dev.sluice;

/** What a {@link TaskGroup} does when one of its tasks fails. */
public enum FailurePolicy {
  /**
   * The first failure cancels the group: queued tasks are dropped, running tasks are interrupted,
   * and {@link TaskGroup#join()} throws a {@link TaskGroupException} whose cause is that failure
   * and whose suppressed exceptions are the failures that followed. The default.
   */
  FAIL_FAST,

  /**
   * Every task runs regardless of failures; {@link TaskGroup#join()} then throws a {@link
   * TaskGroupException} carrying all of them (the first as cause, the rest suppressed).
   */
  COLLECT_ALL
}
