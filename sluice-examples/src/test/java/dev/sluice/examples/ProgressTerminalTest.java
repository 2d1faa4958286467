package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link ProgressDemo} in a child JVM twice: under a pseudo-terminal made by util-linux's
 * {@code script}, where {@code Progress.auto(System.err)} must redraw its table in place, and with
 * stderr sent to a file, where it must write plain lines only.
 */
@Timeout(180)
class ProgressTerminalTest {

  private static final String ESC = "\u001b";

  /** Source, fetch, parse, store; the header, the column names and the bottleneck line. */
  private static final int TABLE_HEIGHT = 4 + 3;

  @TempDir Path dir;

  @Test
  void underAPseudoTerminalTheTableIsRedrawnInPlace() throws Exception {
    String script = scriptCommand();
    String demo =
        demoCommand().stream().map(ProgressTerminalTest::quote).collect(Collectors.joining());
    Path output = dir.resolve("pty.out");

    // -q: no banner; -f: flush each write; -e: exit with the child's status; -c: run this.
    int status = run(List.of(script, "-qfec", demo, "/dev/null"), output, output);

    String screen = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(status).as("exit status; output:%n%s", screen).isZero();
    String up = "\r" + ESC + "[" + TABLE_HEIGHT + "A";
    assertThat(screen).contains(up + ESC + "[2Kpipeline RUNNING, ");
    assertThat(screen).contains(up + ESC + "[2Kpipeline SUCCEEDED in ");
    // Every frame after the first moves up over the one before and writes exactly as many lines,
    // so the screen never scrolls; only the last is followed by the demo's own output line.
    List<String> frames = Arrays.asList(screen.split(Pattern.quote(up), -1));
    assertThat(frames.size()).isGreaterThanOrEqualTo(3);
    for (String frame : frames.subList(1, frames.size() - 1)) {
      assertThat(frame.chars().filter(c -> c == '\n').count()).isEqualTo(TABLE_HEIGHT);
    }
    String last = frames.get(frames.size() - 1);
    assertThat(last).startsWith(ESC + "[2Kpipeline SUCCEEDED in ").contains("stored 750 items");
    assertThat(screen).doesNotContainPattern("(?m)^\\[\\d+\\.\\ds\\] ");
  }

  @Test
  void throughAPipeOnlyPlainLinesAppear() throws Exception {
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");

    int status = run(demoCommand(), out, err);

    String log = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(status).as("exit status; stderr:%n%s", log).isZero();
    assertThat(log).doesNotContain(ESC).doesNotContain("\r");
    List<String> lines = log.lines().toList();
    assertThat(lines.get(0))
        .matches(
            "\\[\\d+\\.\\ds\\] source \\S+ \\(\\S+/s\\) -> fetch \\S+ \\(\\S+/s, q \\d+/16\\)"
                + " -> parse .* -> store .* \\| bottleneck: .*");
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("pipeline SUCCEEDED in "));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).matches("parse +map +0/2 +750 +750 +0 .*"));
    assertThat(Files.readString(out, StandardCharsets.UTF_8)).startsWith("stored 750 items in ");
  }

  // -----------------------------------------------------------------------------------------------

  /** The demo in a child JVM: the same java and class path as this test, 1.5 s of work. */
  private static List<String> demoCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-cp",
        System.getProperty("java.class.path"),
        ProgressDemo.class.getName(),
        "--millis",
        "1500",
        "--period",
        "50");
  }

  private static int run(List<String> command, Path out, Path err)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectInput(Redirect.from(new File("/dev/null")));
    if (out.equals(err)) {
      builder.redirectErrorStream(true).redirectOutput(out.toFile());
    } else {
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    }
    builder.environment().put("TERM", "xterm");
    builder.environment().put("COLUMNS", "120");
    Process process = builder.start();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("still running after 120 s: " + command);
      }
      return process.exitValue();
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * The path of util-linux's {@code script}, after checking that it can make a pseudo-terminal
   * here; otherwise the test is skipped, saying why.
   */
  private static String scriptCommand() throws IOException, InterruptedException {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux"),
        "needs Linux: the pseudo-terminal is made with util-linux's 'script'");
    String found = null;
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, "script");
      if (Files.isExecutable(candidate)) {
        found = candidate.toString();
        break;
      }
    }
    assumeTrue(
        found != null,
        "util-linux 'script' is not on the PATH (Debian/Ubuntu: package bsdutils), so the demo"
            + " cannot be run under a pseudo-terminal");
    Path probe = Files.createTempFile("sluice-script-probe", ".out");
    try {
      List<String> check = new ArrayList<>(List.of(found, "-qfec", "true", "/dev/null"));
      ProcessBuilder builder =
          new ProcessBuilder(check)
              .redirectInput(Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(probe.toFile());
      Process process = builder.start();
      boolean ended = process.waitFor(30, TimeUnit.SECONDS);
      process.destroyForcibly();
      assumeTrue(
          ended && process.exitValue() == 0,
          () ->
              "'script -qfec true /dev/null' cannot make a pseudo-terminal here: "
                  + readQuietly(probe));
    } finally {
      Files.deleteIfExists(probe);
    }
    return found;
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** {@code word} quoted for {@code sh -c}, with a space before it. */
  private static String quote(String word) {
    return " '" + word.replace("'", "'\\''") + "'";
  }
}
