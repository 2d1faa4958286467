package dev.sluice.cli;

import dev.sluice.examples.Examples;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluice examples [NAME...]}: runs the seed-pattern examples. */
@Command(
    name = "examples",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCli.Version.class,
    description = "Runs the seed-pattern examples: all of them, or the ones named.")
final class ExamplesCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NAME", arity = "0..*", description = "examples to run (default: all)")
  List<String> names = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Examples.main(names.toArray(String[]::new)); // exits with 2 by itself on an unknown name
    return 0;
  }
}
