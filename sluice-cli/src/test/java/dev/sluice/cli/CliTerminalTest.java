package dev.sluice.cli;

import static dev.sluice.cli.CliRun.bytes;
import static dev.sluice.cli.CliRun.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice dupes} as a person runs it, in a separate JVM: on a pseudo-terminal (util-linux
 * {@code script}) the progress table is redrawn in place; through a pipe it is plain lines.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTerminalTest {

  private static final String ESC = "\u001b";

  @TempDir Path root;

  @BeforeEach
  void tree() throws IOException {
    for (int i = 0; i < 50; i++) {
      write(root.resolve("d" + i + "/a"), bytes(5000 + i, i));
      write(root.resolve("d" + i + "/b"), bytes(5000 + i, i));
    }
  }

  private List<String> javaCommand(String... args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SluiceCli.class.getName());
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void onATerminalTheProgressTableIsRedrawnInPlace() throws Exception {
    Path script = Path.of("/usr/bin/script");
    assumeThat(Files.isExecutable(script)).as("util-linux script makes the terminal").isTrue();
    String command =
        String.join(
            " ", javaCommand("dupes", root.toString()).stream().map(a -> "'" + a + "'").toList());
    ProcessBuilder builder =
        new ProcessBuilder(script.toString(), "-q", "-e", "-c", command, "/dev/null")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("TERM", "xterm");
    Process process = builder.start();
    String screen = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).as(screen).isZero();
    assertThat(screen)
        .containsPattern(ESC + "\\[[0-9]+A") // back up over the previous frame: a redraw
        .contains(ESC + "[2K", "walk", "partial", "collect")
        .contains(root.resolve("d7/a").toString(), root.resolve("d7/b").toString());
  }

  @Test
  void throughAPipeProgressIsPlainLines() throws Exception {
    Process process = new ProcessBuilder(javaCommand("dupes", root.toString())).start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).as(stderr).isZero();
    assertThat(stderr).doesNotContain(ESC).contains("walk", "partial", "collect");
    assertThat(stdout)
        .doesNotContain(ESC)
        .contains(root.resolve("d7/a") + "\n" + root.resolve("d7/b"));
  }
}
