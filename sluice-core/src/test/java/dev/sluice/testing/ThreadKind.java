package dev.sluice.testing;

/** The kinds of thread a concurrent test runs its workers on. */
public enum ThreadKind {
  PLATFORM {
    @Override
    Thread.Builder builder() {
      return Thread.ofPlatform().daemon(true);
    }
  },
  VIRTUAL {
    @Override
    Thread.Builder builder() {
      return Thread.ofVirtual();
    }
  };

  abstract Thread.Builder builder();

  /** Creates an unstarted thread of this kind. */
  public Thread newThread(String name, Runnable task) {
    return builder().name(name).unstarted(task);
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT) + " threads";
  }
}
