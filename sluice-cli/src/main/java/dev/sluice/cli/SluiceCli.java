package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code sluice} command: {@code sluice dupes} and {@code sluice examples}.
 *
 * <p>Exit codes: 0 success, 1 some paths were skipped (each named on stderr), 2 usage error, 3 an
 * unexpected failure (a bug: the stack trace is printed).
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCli.Version.class,
    description =
        "Closable channels, task groups and pipelines for plain blocking Java: the tools.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:some paths were skipped (each named on stderr)",
      "2:usage error",
      "3:unexpected failure (a bug: the stack trace is printed)"
    })
public final class SluiceCli implements Runnable {

  /** Some paths were skipped. */
  static final int SKIPPED = 1;

  /** Usage error. */
  static final int USAGE = 2;

  /** An unexpected failure. */
  static final int FAILURE = 3;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: dupes or examples (sluice --help lists them)");
  }

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line with the given streams and returns the exit code. Paths are written to
   * the streams as raw bytes, everything else as UTF-8.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine line = commandLine(out, err);
    return line.execute(args);
  }

  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(new SluiceCli());
    line.addSubcommand(new CommandLine(new DupesCommand(out, err)));
    line.addSubcommand(new CommandLine(new ExamplesCommand()));
    line.addSubcommand(new CommandLine.HelpCommand());
    line.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    line.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("sluice: unexpected failure, a bug: " + e);
          e.printStackTrace(commandLine.getErr());
          commandLine.getErr().flush();
          return FAILURE;
        });
    return line;
  }

  /** The version from the Maven build (a resource filtered at build time). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      return new String[] {
        "sluice " + version(),
        "JVM: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }

    static String version() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = SluiceCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return "unknown";
        }
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    }
  }
}
