package dev.sluice.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link Dupes.Report} as text (fdupes style: the paths of a group one per line, a blank
 * line after each group; or with {@code --print-null} each path and group ended by a NUL byte
 * instead), JSON or CSV. Paths are written as their raw bytes in text and CSV; JSON strings must be
 * Unicode, so there a name that is not valid in the platform encoding shows U+FFFD where its
 * undecodable bytes were.
 */
final class Output {

  /** {@code --format}. */
  enum Format {
    TEXT,
    JSON,
    CSV
  }

  private Output() {}

  /**
   * Writes {@code report}; {@code printNull} (text only) ends each path and each group with a NUL
   * byte instead of a newline.
   */
  static void write(Dupes.Report report, Format format, boolean printNull, OutputStream out)
      throws IOException {
    switch (format) {
      case TEXT -> text(report, printNull ? '\0' : '\n', out);
      case JSON -> json(report, out);
      case CSV -> csv(report, out);
    }
    out.flush();
  }

  private static void text(Dupes.Report report, char end, OutputStream out) throws IOException {
    for (Dupes.Found group : report.groups()) {
      for (byte[] path : group.bytes()) {
        out.write(path);
        out.write(end);
      }
      out.write(end);
    }
  }

  private static void csv(Dupes.Report report, OutputStream out) throws IOException {
    write(out, "group,size,hash,path\n");
    int number = 0;
    for (Dupes.Found group : report.groups()) {
      number++;
      String prefix =
          number + "," + group.size() + "," + (group.digest() == null ? "" : group.digest()) + ",";
      for (byte[] path : group.bytes()) {
        write(out, prefix);
        csvField(path, out);
        out.write('\n');
      }
    }
  }

  private static void csvField(byte[] field, OutputStream out) throws IOException {
    boolean quote = false;
    for (byte b : field) {
      if (b == ',' || b == '"' || b == '\n' || b == '\r') {
        quote = true;
        break;
      }
    }
    if (!quote) {
      out.write(field);
      return;
    }
    out.write('"');
    for (byte b : field) {
      if (b == '"') {
        out.write('"');
      }
      out.write(b);
    }
    out.write('"');
  }

  private static void json(Dupes.Report report, OutputStream out) throws IOException {
    StringBuilder json = new StringBuilder(4096);
    json.append("{\n  \"groups\": [");
    List<Dupes.Found> groups = report.groups();
    for (int i = 0; i < groups.size(); i++) {
      Dupes.Found group = groups.get(i);
      json.append(i == 0 ? "\n" : ",\n")
          .append("    {\"size\": ")
          .append(group.size())
          .append(", \"hash\": ")
          .append(group.digest() == null ? "null" : "\"" + group.digest() + "\"")
          .append(", \"files\": [");
      for (int j = 0; j < group.paths().size(); j++) {
        json.append(j == 0 ? "" : ", ");
        string(group.paths().get(j).toString(), json);
      }
      json.append("]}");
      if (json.length() > 1 << 16) {
        write(out, json.toString());
        json.setLength(0);
      }
    }
    json.append(groups.isEmpty() ? "],\n" : "\n  ],\n");
    json.append("  \"skipped\": [");
    List<Problems.Problem> problems = report.problems().sorted();
    for (int i = 0; i < problems.size(); i++) {
      Problems.Problem problem = problems.get(i);
      json.append(i == 0 ? "\n" : ",\n").append("    {\"path\": ");
      string(problem.path().toString(), json);
      json.append(", \"reason\": ");
      string(problem.reason(), json);
      json.append('}');
    }
    json.append(problems.isEmpty() ? "],\n" : "\n  ],\n");
    Walker.Counts counts = report.counts();
    json.append("  \"summary\": {")
        .append("\"files\": ")
        .append(counts.files.sum())
        .append(", \"directories\": ")
        .append(counts.directories.sum())
        .append(", \"bytes\": ")
        .append(counts.bytes.sum())
        .append(", \"groups\": ")
        .append(groups.size())
        .append(", \"duplicateFiles\": ")
        .append(report.duplicateFiles())
        .append(", \"reclaimableBytes\": ")
        .append(report.reclaimableBytes())
        .append(", \"skipped\": ")
        .append(problems.size())
        .append(", \"seconds\": ")
        .append(String.format(Locale.ROOT, "%.3f", report.elapsed().toNanos() / 1e9))
        .append("}\n}\n");
    write(out, json.toString());
  }

  static void string(String s, StringBuilder json) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  /** The summary line on stderr. */
  static String summary(Dupes.Report report) {
    Walker.Counts counts = report.counts();
    int skipped = report.problems().count();
    return String.format(
        Locale.ROOT,
        "sluice: %d files (%s) in %d directories: %d %s, %d duplicate %s, %s reclaimable;"
            + " %.2f s%s%n",
        counts.files.sum(),
        bytes(counts.bytes.sum()),
        counts.directories.sum(),
        report.groups().size(),
        report.groups().size() == 1 ? "group" : "groups",
        report.duplicateFiles(),
        report.duplicateFiles() == 1 ? "file" : "files",
        bytes(report.reclaimableBytes()),
        report.elapsed().toNanos() / 1e9,
        skipped == 0 ? "" : "; " + skipped + " skipped (listed above)");
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
