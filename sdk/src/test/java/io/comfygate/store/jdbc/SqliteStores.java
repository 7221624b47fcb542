package io.comfygate.store.jdbc;

import java.nio.file.Path;

/** Opens a fresh SQLite file database in a test's temporary directory. */
final class SqliteStores {
  private SqliteStores() {}

  static Database open(Path dir) {
    return Database.builder(dir.resolve("db").resolve("app_data.db").toString())
        .readPoolSize(2)
        .build();
  }
}
