package dev.sluice.internal;

import java.util.concurrent.locks.Condition;
import org.jspecify.annotations.Nullable;

/**
 * A thread of a {@link Group}: runs tasks while it holds a concurrency slot, and keeps a deque of
 * the follow-ups its tasks submit (platform groups only).
 *
 * <h2>Implementation overview</h2>
 *
 * <p>A runner is <em>active</em> while it holds a slot and a unit of the group's pending count
 * ({@link Group#pendingWork}); the unit covers the task it runs and every follow-up in its {@link
 * #deque}, so those are not counted one by one. It loops: take the next task (own deque newest
 * first, then other runners' deques oldest first, then shared follow-ups, then outside work), run
 * it, repeat. When it finds nothing it spins briefly (platform threads only), then deactivates:
 * gives its slot back (to a waiter resuming after a nested wait, if any), adds its batched counts
 * to the group's, and drops its unit with everything it owes for counted tasks it ran. It then
 * checks once more for work (a submitter that saw every slot taken relied on it), and otherwise
 * parks as idle (platform, for a keep-alive) or ends (virtual).
 *
 * <p>Fields without a note are touched by the runner's own thread only.
 */
final class Runner implements Runnable {
  final Group group;

  /** Follow-ups of this runner's tasks; null in groups whose runners are not kept. */
  final @Nullable WorkDeque deque;

  /** Set before the thread starts; read by cancellers to interrupt it. */
  volatile @Nullable Thread thread;

  /** The task this thread is running (inline runs nest), for self-wait detection. */
  @Nullable GroupTask<?> current;

  /** Idle runners wait here, under the group's lock; {@link #granted} is guarded by it. */
  @Nullable Condition wake;

  boolean granted;

  /** Counted tasks this runner finished, to take off the pending count when it deactivates. */
  long owed;

  // Counts batched into the group's statistics when the runner deactivates.
  long submittedDelta;
  long completedDelta;
  long failedDelta;
  long cancelledDelta;
  long finishedDelta;

  Runner(Group group, @Nullable WorkDeque deque) {
    this.group = group;
    this.deque = deque;
  }

  @Override
  public void run() {
    group.runLoop(this);
  }
}
