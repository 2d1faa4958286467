package dev.sluice.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Runs the CLI in this JVM and captures what it writes; helpers to build trees. */
final class CliRun {

  /**
   * What a run wrote and returned.
   *
   * @param exit the exit code
   * @param stdout the raw bytes written to stdout
   * @param stderr stderr, decoded as UTF-8
   */
  record Result(int exit, byte[] stdoutBytes, String stderr) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** Stderr without the summary line (it has a time in it). */
    List<String> stderrLines() {
      List<String> lines = new ArrayList<>(Arrays.asList(stderr.split("\n", -1)));
      lines.removeIf(String::isEmpty);
      return lines;
    }

    String summary() {
      List<String> lines = stderrLines();
      return lines.get(lines.size() - 1);
    }

    List<String> skipped() {
      return stderrLines().stream().filter(l -> l.startsWith("sluice: skipped ")).toList();
    }

    /** The groups of the text output: each a list of paths. */
    List<List<String>> groups() {
      List<List<String>> groups = new ArrayList<>();
      List<String> current = new ArrayList<>();
      for (String line : stdout().split("\n", -1)) {
        if (line.isEmpty()) {
          if (!current.isEmpty()) {
            groups.add(current);
            current = new ArrayList<>();
          }
        } else {
          current.add(line);
        }
      }
      return groups;
    }
  }

  private CliRun() {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return runTo(out, args);
  }

  /**
   * Runs the CLI with a stdout whose every write fails, as on a full disk; the result's stdout is
   * empty.
   */
  static Result runToAFullDisk(String... args) {
    return runTo(
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("No space left on device");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("No space left on device");
          }
        },
        args);
  }

  /** Runs the CLI writing stdout to {@code stdout}; its bytes are kept if it is a byte array. */
  private static Result runTo(OutputStream stdout, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = SluiceCli.run(args, o, e);
    }
    assertNoSluiceThreadAlive(args);
    byte[] written =
        stdout instanceof ByteArrayOutputStream bytes ? bytes.toByteArray() : new byte[0];
    return new Result(exit, written, err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Fails if a platform thread of sluice's (stage runners, the pipeline's supervisor, the open
   * watcher: all named {@code sluice-...}) outlived the run. (Tests run one at a time.)
   */
  private static void assertNoSluiceThreadAlive(String... args) {
    List<String> alive =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("sluice-") && t.isAlive())
            .map(Thread::getName)
            .toList();
    if (!alive.isEmpty()) {
      throw new AssertionError(
          "threads alive after sluice " + String.join(" ", args) + " returned: " + alive);
    }
  }

  /** {@code sluice dupes --no-progress ARGS}. */
  static Result dupes(Object... args) {
    List<String> all = new ArrayList<>(List.of("dupes", "--no-progress"));
    for (Object arg : args) {
      all.add(arg.toString());
    }
    return run(all.toArray(String[]::new));
  }

  /** Deterministic pseudo-random bytes. */
  static byte[] bytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static Path write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, content);
  }

  /** Runs {@code sh -c script} in {@code dir} and fails unless it exits with 0. */
  static void sh(Path dir, String script) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("sh", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("sh -c '" + script + "' failed: " + output);
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
