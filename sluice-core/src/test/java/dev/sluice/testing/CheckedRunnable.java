package dev.sluice.testing;

/** A worker body that may throw anything. */
@FunctionalInterface
public interface CheckedRunnable {
  void run() throws Exception;
}
