package io.comfygate.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files of the ITs' own servers (a CATALINA_BASE, a Payara root folder). */
final class ItFiles {
  private ItFiles() {}

  /** Deletes {@code dir} and everything in it, if it exists; a file that cannot be deleted fails. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
