package io.comfygate.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The value of {@code JOB_DB_PATH}: a SQLite file path, or a JDBC URL taken as is. Both views are
 * kept so that callers needing a file (to create its directory, to check free space) can have one.
 */
record DbLocation(Optional<Path> path, String jdbcUrl) {
  static DbLocation ofPath(Path path) {
    return new DbLocation(Optional.of(path), "jdbc:sqlite:" + path);
  }

  static DbLocation ofUrl(String jdbcUrl) {
    return new DbLocation(Optional.empty(), jdbcUrl);
  }
}
