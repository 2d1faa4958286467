package dev.sluice.cli;

import dev.sluice.examples.Examples;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code sluice examples [NAME...]}: runs the seed-pattern examples. Described in code with
 * picocli's programmatic API (see {@link SluiceCli}).
 */
final class ExamplesCommand implements Callable<Integer> {

  private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
  private final PositionalParamSpec names =
      PositionalParamSpec.builder()
          .paramLabel("NAME")
          .arity("0..*")
          .type(List.class)
          .auxiliaryTypes(String.class)
          .description("examples to run (default: all)")
          .build();

  private final PrintStream out;
  private final PrintStream err;

  ExamplesCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    spec.name("examples").versionProvider(new SluiceCli.Version());
    spec.usageMessage()
        .description("Runs the seed-pattern examples: all of them, or the ones named.");
    spec.addPositional(names);
    SluiceCli.addStandardHelpOptions(spec);
  }

  CommandSpec spec() {
    return spec;
  }

  @Override
  public Integer call() throws Exception {
    List<String> chosen = names.getValue();
    int code = Examples.run(chosen == null ? List.of() : chosen, out, err);
    return SluiceCli.outputFailed(out, err, "the examples' output")
        ? SluiceCli.OUTPUT_FAILED
        : code;
  }
}
