/**
 * sluice: closable channels, task groups and pipelines for plain blocking Java.
 *
 * <p>Only {@code dev.sluice} is exported; {@code dev.sluice.internal} holds the implementation.
 */
module dev.sluice {
  requires static transitive org.jspecify;
  requires jdk.jfr;

  exports dev.sluice;
}
