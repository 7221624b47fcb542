package io.comfygate.store;

import io.comfygate.store.jdbc.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh SQLite store file in its own temporary folder for each test, closed and deleted after
 * it: register with {@code @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();}.
 */
public final class SqliteStoreFile implements BeforeEachCallback, AfterEachCallback, StoreContractSupport.Stores {
  private Path dir;
  private Database db;

  /** Opens (creating it if needed) the store file under {@code dir}, as the product lays it out. */
  public static Database open(Path dir) {
    return Database.builder(file(dir).toString()).readPoolSize(2).build();
  }

  private static Path file(Path dir) {
    return dir.resolve("db").resolve("app_data.db");
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("comfygate-store-");
    db = open(dir);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    db.close();
    deleteTree(dir);
  }

  /** Deletes a test's folder and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(SqliteStoreFile::delete);
    }
  }

  /** The test's own folder: the store file lives in {@code db/}, anything else may go beside it. */
  @Override
  public Path dir() {
    return dir;
  }

  /** The SQLite file itself (its WAL, while open, is beside it with {@code -wal} appended). */
  public Path file() {
    return file(dir);
  }

  @Override
  public Database db() {
    return db;
  }

  @Override
  public Database open() {
    return open(dir);
  }

  /** Closes the store and opens the same file again, as a restart would. */
  @Override
  public Database reopen() {
    db.close();
    db = open(dir);
    return db;
  }


  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
