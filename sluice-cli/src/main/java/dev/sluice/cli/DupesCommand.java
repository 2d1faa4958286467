package dev.sluice.cli;

import dev.sluice.Progress;
import dev.sluice.Timeline;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code sluice dupes [OPTIONS] PATH...}: finds duplicate files. Described in code with picocli's
 * programmatic API (see {@link SluiceCli}); the values are read from the spec after parsing.
 */
final class DupesCommand implements Callable<Integer> {

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final PrintStream out;
  private final PrintStream err;

  DupesCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    spec.name("dupes").versionProvider(new SluiceCli.Version());
    spec.usageMessage()
        .sortOptions(false)
        .description(
            "Finds files with identical content under the given paths and prints them in groups,"
                + " a blank line after each group (the largest files first).",
            "",
            "Files are compared by size, then by a hash of their first and last 4 KiB, then by a"
                + " hash of their whole content (XXH3-128 unless --hash sha256), and with --verify"
                + " byte by byte. Several paths to one file (hard links, or a file reached twice)"
                + " count once. Empty files, names starting with a dot and symbolic links met in"
                + " the walk are left out unless asked for. A summary goes to stderr, with every"
                + " path skipped (unreadable, vanished, changed during the scan, not a regular"
                + " file, a link loop) and why.")
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(SluiceCli.exitCodes("success (whether or not duplicates were found)"));
    spec.addPositional(
        PositionalParamSpec.builder()
            .paramLabel("PATH")
            .arity("1..*")
            .required(true)
            .type(List.class)
            .auxiliaryTypes(Path.class)
            .description("directories or files to scan")
            .build());
    flag(
        "follow symbolic links in the walk (loops are detected and reported)",
        "-L",
        "--follow-links");
    flag("include files and directories whose name starts with a dot", "-a", "--hidden");
    flag("include empty files (all of them form one group)", "-z", "--include-empty");
    spec.addOption(
        OptionSpec.builder("--min-size")
            .paramLabel("SIZE")
            .type(long.class)
            .converters(new SizeConverter())
            .defaultValue("0")
            .description("ignore files smaller than SIZE bytes (suffixes k, M, G: powers of 1024)")
            .build());
    spec.addOption(
        OptionSpec.builder("-x", "--exclude")
            .paramLabel("GLOB")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .description(
                "leave out entries whose name matches GLOB, or whose path relative to its root"
                    + " does if GLOB has a '/' (repeatable)")
            .build());
    spec.addOption(
        OptionSpec.builder("--hash")
            .paramLabel("ALGORITHM")
            .type(HashKind.class)
            .converters(new HashConverter())
            .defaultValue("xxh3")
            .description("full-content hash: xxh3 (XXH3-128, fast; the default) or sha256")
            .build());
    flag("compare files byte by byte before reporting them", "--verify");
    flag(
        "list every path of a file with several hard links, and groups made of one file's"
            + " hard links alone (they still count as one file)",
        "-H",
        "--hardlinks");
    spec.addOption(
        OptionSpec.builder("-f", "--format")
            .paramLabel("FORMAT")
            .type(Output.Format.class)
            .converters(new FormatConverter())
            .defaultValue("text")
            .description("text (paths, a blank line after each group), json or csv")
            .build());
    flag(
        "text format: end each path with a NUL byte instead of a newline, and each group with"
            + " one more (as find -print0 and jdupes -0 do), for names that contain newlines",
        "-0",
        "--print-null");
    spec.addOption(
        OptionSpec.builder("--threads-io")
            .paramLabel("N")
            .type(int.class)
            .defaultValue(String.valueOf(DupesOptions.defaultIoThreads()))
            .description(
                "workers of the I/O stages: walk, partial hash, verify (default: ${DEFAULT-VALUE})")
            .build());
    spec.addOption(
        OptionSpec.builder("--threads-cpu")
            .paramLabel("N")
            .type(int.class)
            .defaultValue(String.valueOf(DupesOptions.defaultCpuThreads()))
            .description(
                "workers of the full-hash stage (default: ${DEFAULT-VALUE}, the core count)")
            .build());
    spec.addOption(
        OptionSpec.builder("--progress")
            .negatable(true)
            .type(Boolean.class)
            .description(
                "per-stage progress on stderr (the default): a live table when stderr is a"
                    + " terminal, plain lines once a second otherwise; --no-progress for none")
            .build());
    spec.addOption(
        OptionSpec.builder("--timeline")
            .paramLabel("FILE.svg")
            .type(Path.class)
            .description("write the run's timeline (per-stage throughput over time) as SVG")
            .build());
    spec.addOption(
        OptionSpec.builder("--stats")
            .type(boolean.class)
            .hidden(true)
            .description("print each stage's final counters on stderr (for benchmarks)")
            .build());
    SluiceCli.addStandardHelpOptions(spec);
  }

  CommandSpec spec() {
    return spec;
  }

  private void flag(String description, String... names) {
    spec.addOption(OptionSpec.builder(names).type(boolean.class).description(description).build());
  }

  /** The value of an option after parsing: its argument, its default, or {@code otherwise}. */
  private <T> T value(String option, T otherwise) {
    T value = spec.findOption(option).getValue();
    return value != null ? value : otherwise;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<Path> paths = spec.positionalParameters().get(0).getValue();
    int ioThreads = value("--threads-io", DupesOptions.defaultIoThreads());
    int cpuThreads = value("--threads-cpu", DupesOptions.defaultCpuThreads());
    Boolean progress = spec.findOption("--progress").getValue();
    Path timeline = spec.findOption("--timeline").getValue();
    if (ioThreads < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--threads-io must be >= 1: " + ioThreads);
    }
    if (cpuThreads < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--threads-cpu must be >= 1: " + cpuThreads);
    }
    Output.Format format = value("--format", Output.Format.TEXT);
    boolean printNull = value("--print-null", false);
    if (printNull && format != Output.Format.TEXT) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--print-null goes with the text format only, not --format "
              + format.name().toLowerCase(Locale.ROOT));
    }
    List<Dupes.Listener> listeners = new ArrayList<>();
    if (!Boolean.FALSE.equals(progress)) {
      // On a terminal a live table redrawn 5 times a second; elsewhere a plain line a second.
      listeners.add(
          Progress.isTerminal(err)
              ? new Dupes.Listener(Duration.ofMillis(200), Progress.terminal(err))
              : new Dupes.Listener(Duration.ofSeconds(1), Progress.lines(err)));
    }
    Timeline timelineListener = null;
    if (timeline != null) {
      timelineListener =
          Timeline.create(
              "sluice dupes " + String.join(" ", paths.stream().map(Path::toString).toList()));
      listeners.add(new Dupes.Listener(Duration.ofMillis(50), timelineListener));
    }
    DupesOptions options =
        new DupesOptions(
            paths,
            value("--follow-links", false),
            value("--hidden", false),
            value("--include-empty", false),
            value("--min-size", 0L),
            value("--exclude", List.of()),
            value("--hash", HashKind.XXH3),
            value("--verify", false),
            value("--hardlinks", false),
            ioThreads,
            cpuThreads);
    Dupes.Report report = Dupes.run(options, listeners);

    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    Output.write(report, format, printNull, buffered);
    buffered.flush();
    boolean outputFailed = SluiceCli.outputFailed(out, err, "the results");
    for (Problems.Problem problem : report.problems().sorted()) {
      err.write("sluice: skipped ".getBytes(StandardCharsets.UTF_8));
      err.write(problem.bytes()); // the name's own bytes, whatever their encoding
      err.write((": " + problem.reason() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    boolean timelineFailed = false;
    if (timelineListener != null && timeline != null) {
      try {
        timelineListener.writeSvg(timeline);
      } catch (IOException e) {
        timelineFailed = true;
        err.write(
            ("sluice: cannot write the timeline to "
                    + timeline
                    + ": "
                    + (e instanceof java.nio.file.NoSuchFileException
                        ? "no such directory"
                        : Problems.reason(e))
                    + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    if (value("--stats", false)) {
      for (dev.sluice.StageStats stage : report.stats().stages()) {
        err.write(
            String.format(
                    Locale.ROOT,
                    "stage %-10s received %8d emitted %8d failed %4d busy %7.3f s blocked %7.3f s%n",
                    stage.name(),
                    stage.received(),
                    stage.emitted(),
                    stage.failed(),
                    stage.busyTime().toNanos() / 1e9,
                    stage.blockedTime().toNanos() / 1e9)
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    if (report.unprocessed() > 0) {
      err.write(
          ("sluice: the scan did not finish: "
                  + report.unprocessed()
                  + " more files and directories wait behind opens that never return (FIFOs put"
                  + " in place of files during the scan, listed above), so the groups are"
                  + " incomplete\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    err.write(Output.summary(report).getBytes(StandardCharsets.UTF_8));
    err.flush();
    if (outputFailed || timelineFailed) {
      return SluiceCli.OUTPUT_FAILED;
    }
    return report.problems().count() > 0 || report.unprocessed() > 0 ? SluiceCli.SKIPPED : 0;
  }

  /** Parses sizes: 100, 10k, 4M, 1G (powers of 1024). */
  static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT);
      long unit = 1;
      if (text.endsWith("b")) {
        text = text.substring(0, text.length() - 1);
      }
      if (text.endsWith("k")) {
        unit = 1L << 10;
      } else if (text.endsWith("m")) {
        unit = 1L << 20;
      } else if (text.endsWith("g")) {
        unit = 1L << 30;
      }
      if (unit > 1) {
        text = text.substring(0, text.length() - 1);
      }
      try {
        long number = Long.parseLong(text);
        if (number < 0) {
          throw new CommandLine.TypeConversionException("SIZE must be >= 0: '" + value + "'");
        }
        return Math.multiplyExact(number, unit);
      } catch (NumberFormatException | ArithmeticException e) {
        throw new CommandLine.TypeConversionException(
            "SIZE must be a number of bytes, with an optional k, M or G: '" + value + "'");
      }
    }
  }

  /** Parses {@code --hash}. */
  static final class HashConverter implements CommandLine.ITypeConverter<HashKind> {
    @Override
    public HashKind convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "xxh3", "xxh3-128", "xxh128" -> HashKind.XXH3;
        case "sha256", "sha-256" -> HashKind.SHA256;
        default ->
            throw new CommandLine.TypeConversionException(
                "ALGORITHM must be xxh3 or sha256: '" + value + "'");
      };
    }
  }

  /** Parses {@code --format}. */
  static final class FormatConverter implements CommandLine.ITypeConverter<Output.Format> {
    @Override
    public Output.Format convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "text" -> Output.Format.TEXT;
        case "json" -> Output.Format.JSON;
        case "csv" -> Output.Format.CSV;
        default ->
            throw new CommandLine.TypeConversionException(
                "FORMAT must be text, json or csv: '" + value + "'");
      };
    }
  }
}
