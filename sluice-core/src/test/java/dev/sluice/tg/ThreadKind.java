package dev.sluice.tg;

import dev.sluice.TaskGroup;

/** The two kinds of thread a group can run its tasks on; tests run on both. */
public enum ThreadKind {
  VIRTUAL {
    @Override
    public TaskGroup.Builder apply(TaskGroup.Builder builder) {
      return builder.virtualThreads();
    }
  },
  PLATFORM {
    @Override
    public TaskGroup.Builder apply(TaskGroup.Builder builder) {
      return builder.platformThreads();
    }
  };

  /** Sets this thread kind on {@code builder}. */
  public abstract TaskGroup.Builder apply(TaskGroup.Builder builder);

  /** A builder with this thread kind and a unique name starting with {@code prefix}. */
  public TaskGroup.Builder builder(String prefix) {
    return apply(TaskGroup.builder().name(Names.unique(prefix)));
  }

  /** Whether {@code thread} is of this kind. */
  public boolean matches(Thread thread) {
    return thread.isVirtual() == (this == VIRTUAL);
  }
}
