package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code sluice} command: {@code sluice dupes} and {@code sluice examples}.
 *
 * <p>Exit codes: 0 success, 1 some paths were skipped (each named on stderr), 2 usage error, 3 an
 * unexpected failure (a bug: the stack trace is printed), 4 an output could not be written (the
 * results to stdout, or the {@code --timeline} file). Every command lists them: {@link #exitCodes}.
 *
 * <p>The commands are described with picocli's programmatic API rather than its annotations:
 * reading annotations spins a proxy class per annotation type and binds each field through
 * reflection, which took 40 ms of every start (a quarter of a small scan's time); the same commands
 * built in code take 10 ms. Help, version, parsing and errors are picocli's as before.
 */
public final class SluiceCli implements Callable<Integer> {

  /** Some paths were skipped. */
  static final int SKIPPED = 1;

  /** An unexpected failure. */
  static final int FAILURE = 3;

  /** An output could not be written: the results to standard output, or the timeline. */
  static final int OUTPUT_FAILED = 4;

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

  private SluiceCli(PrintStream out, PrintStream err) {
    spec.name("sluice").versionProvider(new Version());
    spec.usageMessage()
        .description(
            "Closable channels, task groups and pipelines for plain blocking Java: the tools.")
        .synopsisSubcommandLabel("COMMAND")
        .commandListHeading("%nCommands:%n")
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(exitCodes("success"));
    addStandardHelpOptions(spec);
    spec.addSubcommand("dupes", new DupesCommand(out, err).spec());
    spec.addSubcommand("examples", new ExamplesCommand(out, err).spec());
    spec.addSubcommand("help", new HelpCommand().spec);
  }

  /** {@code sluice} without a command. */
  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "missing command: dupes or examples (sluice --help lists them)");
  }

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    skipUnusedPicocliLookups();
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Switches off two lookups picocli makes while it builds the commands, which sluice needs neither
   * of, and which took a tenth of the time to {@code dupes}'s first file (measured with {@code
   * -Xlog:class+init}): Groovy's {@code Closure} class, a failed search of every jar on the class
   * path (2 ms); and its converters for {@code java.time}, {@code java.sql} and {@code Path} types,
   * found by reflection, which runs the static initialisers of a dozen {@code java.time} classes (5
   * ms; sluice registers its own {@code Path} converter). Both switches are picocli's documented
   * system properties, read when a command line is built.
   */
  static void skipUnusedPicocliLookups() {
    System.setProperty("picocli.disable.closures", "true");
    System.setProperty("picocli.converters.excludes", "java\\.(time|sql|nio\\.file)\\..*");
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
    CommandLine line = new CommandLine(new SluiceCli(out, err).spec);
    // For every command: picocli's own Path converter finds Paths.get by reflection (it runs on
    // Java 5), which spins method handles at every start.
    line.registerConverter(Path.class, Path::of);
    line.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    line.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("sluice: unexpected failure, a bug: " + e);
          e.printStackTrace(commandLine.getErr());
          commandLine.getErr().flush();
          return FAILURE;
        });
    return line;
  }

  /**
   * Whether a command's writes to {@code out} failed (a full disk, a reader that went away), said
   * on {@code err} if so. A PrintStream keeps its write errors to itself: without this check,
   * truncated output would exit 0.
   *
   * @param what what was written, for the message ("the results")
   */
  static boolean outputFailed(PrintStream out, PrintStream err, String what) {
    if (!out.checkError()) {
      return false;
    }
    err.println(
        "sluice: cannot write " + what + " to stdout (it was closed early, or the disk is full)");
    return true;
  }

  /** {@code -h, --help} and {@code -V, --version}, as picocli's standard help mixin has them. */
  static void addStandardHelpOptions(CommandSpec spec) {
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .usageHelp(true)
            .description("Show this help message and exit.")
            .build());
    spec.addOption(
        OptionSpec.builder("-V", "--version")
            .versionHelp(true)
            .description("Print version information and exit.")
            .build());
  }

  /**
   * The exit code list of a command's usage message: the codes every command shares, with its own
   * wording for success.
   */
  static Map<String, String> exitCodes(String success) {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put("0", success);
    codes.put(String.valueOf(SKIPPED), "some paths were skipped (each named on stderr)");
    codes.put("2", "usage error");
    codes.put(String.valueOf(FAILURE), "unexpected failure (a bug: the stack trace is printed)");
    codes.put(
        String.valueOf(OUTPUT_FAILED),
        "an output could not be written: the results to stdout (closed early, disk full) or the"
            + " --timeline file");
    return codes;
  }

  /**
   * {@code sluice help [COMMAND]}: the usage of a command, or of {@code sluice}. Picocli's {@code
   * HelpCommand} does the same, but is described by annotations.
   */
  static final class HelpCommand implements Callable<Integer> {
    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final PositionalParamSpec command =
        PositionalParamSpec.builder()
            .paramLabel("COMMAND")
            .arity("0..1")
            .type(String.class)
            .description("The COMMAND to display the usage help message for.")
            .build();

    HelpCommand() {
      spec.name("help").helpCommand(true);
      spec.usageMessage().description("Display help information about the specified command.");
      spec.addPositional(command);
      spec.addOption(
          OptionSpec.builder("-h", "--help")
              .usageHelp(true)
              .description("Show usage help for the help command and exit.")
              .build());
    }

    @Override
    public Integer call() {
      CommandLine root = spec.commandLine().getParent();
      String name = command.getValue();
      CommandLine wanted = name == null ? root : root.getSubcommands().get(name);
      if (wanted == null) {
        throw new ParameterException(root, "Unknown subcommand '" + name + "'.");
      }
      wanted.usage(root.getOut());
      return 0;
    }
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
