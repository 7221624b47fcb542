package io.comfygate.store;

import java.nio.file.Path;

/** Checks and resolves image paths, which are stored relative to the output directory. */
final class RelativeFiles {
  private RelativeFiles() {}

  /**
   * Rejects a stored path that is empty, absolute (Unix or Windows style) or has a {@code ..}
   * segment, so that no stored value can point outside the output directory.
   */
  static String requireRelative(String file) {
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException("file must not be blank: " + file);
    }
    String unified = file.replace('\\', '/');
    boolean absolute = unified.startsWith("/") || unified.matches("^[A-Za-z]:.*");
    boolean escapes = ("/" + unified + "/").contains("/../");
    if (absolute || escapes) {
      throw new IllegalArgumentException(
          "file must be relative to the output directory, without '..': " + file);
    }
    return file;
  }

  /**
   * Resolves a stored path strictly inside {@code outputDir}.
   *
   * @throws IllegalArgumentException if the path would resolve outside it
   */
  static Path resolveInside(Path outputDir, String file) {
    requireRelative(file);
    Path root = outputDir.toAbsolutePath().normalize();
    Path resolved = root.resolve(file.replace('\\', '/')).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw new IllegalArgumentException("file resolves outside the output directory: " + file);
    }
    return resolved;
  }
}
