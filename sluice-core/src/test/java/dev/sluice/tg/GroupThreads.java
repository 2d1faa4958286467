package dev.sluice.tg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Records the threads that ran a group's tasks, and checks that none remains. */
public final class GroupThreads {
  private final Set<Thread> seen = ConcurrentHashMap.newKeySet();

  /** Call from inside a task: remembers the calling thread. */
  public void record() {
    seen.add(Thread.currentThread());
  }

  /** The threads recorded so far. */
  public Set<Thread> seen() {
    return Set.copyOf(seen);
  }

  /** Asserts that every recorded thread has ended. */
  public void assertAllEnded() {
    List<Thread> alive = seen.stream().filter(Thread::isAlive).toList();
    assertThat(alive).as("threads of the group still alive").isEmpty();
  }

  /** The live platform threads named {@code sluice-<groupName>-<n>}. */
  public static List<Thread> liveThreadsOf(String groupName) {
    String prefix = "sluice-" + groupName + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.getName().startsWith(prefix)
                    && t.getName().substring(prefix.length()).matches("\\d+"))
        .filter(Thread::isAlive)
        .toList();
  }

  /** Asserts that no platform thread named {@code sluice-<groupName>-<n>} is alive. */
  public static void assertNoThreadNamedAfter(String groupName) {
    assertThat(liveThreadsOf(groupName)).as("live threads of group '" + groupName + "'").isEmpty();
  }
}
