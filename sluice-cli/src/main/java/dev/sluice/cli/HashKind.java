package dev.sluice.cli;

/** The full-content hash: {@code --hash}. */
enum HashKind {
  /** XXH3-128 (hash4j): fast, not cryptographic. The default. */
  XXH3("xxh3-128"),
  /** SHA-256 (the JDK's): cryptographic, slower. */
  SHA256("sha256");

  private final String label;

  HashKind(String label) {
    this.label = label;
  }

  /** The name used on the command line and in the output. */
  String label() {
    return label;
  }
}
