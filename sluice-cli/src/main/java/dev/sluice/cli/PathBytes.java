package dev.sluice.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The raw bytes of a path's name, as the file system holds them. Java decodes names with the
 * platform's {@code sun.jnu.encoding} and keeps the bytes inside the path, but has no accessor for
 * them; a name that does not decode (not valid UTF-8, say) shows U+FFFD in {@code toString()}. For
 * those (only those: it costs a stat) the bytes are recovered from {@link Path#toUri()}, whose path
 * percent-encodes every non-ASCII byte of the real name.
 */
final class PathBytes {

  private static final Charset NATIVE = nativeCharset();

  private PathBytes() {}

  private static Charset nativeCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  static byte[] of(Path path) {
    String text = path.toString();
    if (text.indexOf('\uFFFD') < 0) {
      return text.getBytes(NATIVE);
    }
    byte[] absolute = uriBytes(path.toAbsolutePath());
    if (!path.isAbsolute()) {
      byte[] cwd = uriBytes(Path.of("").toAbsolutePath());
      int prefix = cwd.length + (cwd.length > 0 && cwd[cwd.length - 1] == '/' ? 0 : 1);
      if (absolute.length >= prefix && Arrays.equals(absolute, 0, cwd.length, cwd, 0, cwd.length)) {
        absolute = Arrays.copyOfRange(absolute, prefix, absolute.length);
      }
    }
    if (absolute.length > 1 && absolute[absolute.length - 1] == '/' && !text.endsWith("/")) {
      absolute = Arrays.copyOf(absolute, absolute.length - 1); // toUri() marks directories
    }
    return absolute;
  }

  private static byte[] uriBytes(Path absolute) {
    String raw = absolute.toUri().getRawPath();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
