package dev.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README shows code that a test runs: every {@code <!-- snippet: NAME -->} in README.md is
 * followed by a fenced block identical to the {@code // region NAME} ... {@code // endregion} in
 * this module's sources (without the region's indentation).
 */
class ReadmeSnippetsTest {

  private static final Pattern README_SNIPPET =
      Pattern.compile("<!-- snippet: ([\\w-]+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern REGION =
      Pattern.compile(
          "^\\s*// region ([\\w-]+)\\n(.*?)^\\s*// endregion", Pattern.DOTALL | Pattern.MULTILINE);

  @Test
  void everyReadmeSnippetIsCopiedExactlyFromARegionOfTheExamples() throws IOException {
    Path root = repositoryRoot();
    Map<String, String> readme =
        snippets(README_SNIPPET, Files.readString(root.resolve("README.md")));
    Map<String, String> sources = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(root.resolve("sluice-examples/src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        sources.putAll(snippets(REGION, Files.readString(file)));
      }
    }

    assertThat(readme).containsKey("closable-queue");
    readme.forEach(
        (name, code) -> {
          assertThat(sources).as("region '%s' in src/main/java", name).containsKey(name);
          assertThat(code).as("README snippet '%s'", name).isEqualTo(dedent(sources.get(name)));
        });
  }

  private static Map<String, String> snippets(Pattern pattern, String text) {
    Map<String, String> found = new LinkedHashMap<>();
    Matcher m = pattern.matcher(text.replace("\r\n", "\n"));
    while (m.find()) {
      found.put(m.group(1), m.group(2));
    }
    return found;
  }

  /** Removes the indentation common to all non-blank lines. */
  private static String dedent(String code) {
    List<String> lines = code.lines().toList();
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.isBlank() ? "" : line.substring(indent));
    }
    return String.join("\n", out) + "\n";
  }

  /** The directory holding README.md and sluice-examples; tests run in the module directory. */
  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md"))
          && Files.isDirectory(dir.resolve("sluice-examples"))) {
        return dir;
      }
    }
    throw new AssertionError(
        "no README.md next to sluice-examples at or above " + Path.of("").toAbsolutePath());
  }
}
