package dev.sluice.testing;

/** A worker body that returns a value and may throw anything. */
@FunctionalInterface
public interface CheckedCallable<T> {
  T call() throws Exception;
}
