package io.comfygate.testkit;

import java.io.File;
import java.nio.file.Path;

/** Deletes the temporary folders the fake creates. */
final class TempDirs {
  private TempDirs() {}

  /**
   * Deletes a folder tree, best effort and without throwing: a leftover temp folder must never
   * fail a close(). File-based rather than Files.walk, because Tomcat may still be removing its own
   * work folders, and a walk that meets a vanished file throws.
   */
  static void delete(Path dir) {
    File root = dir.toFile();
    // A second pass catches what Tomcat's background thread created while the first one ran.
    for (int pass = 0; pass < 3 && root.exists(); pass++) {
      deleteTree(root);
    }
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
