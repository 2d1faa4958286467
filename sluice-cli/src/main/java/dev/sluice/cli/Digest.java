package dev.sluice.cli;

import java.util.Arrays;
import java.util.HexFormat;

/** A hash value: compared by content, printed in hex. Immutable. */
final class Digest {

  private final byte[] bytes;
  private final int hash;

  /** Takes the array, which nobody may change afterwards: callers pass a fresh hash result. */
  Digest(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Digest that && hash == that.hash && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return hex();
  }
}
