package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.store.SqliteStoreFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  private static final String MIGRATIONS = "/io/comfygate/store/jdbc/migrations/";

  @TempDir Path dir;

  @Test
  void opensAFilePathCreatingParentDirectoriesAndAppliesTheSchema() {
    Path file = dir.resolve("a").resolve("b").resolve("app.db");

    try (Database db = Database.open(file.toString())) {
      assertThat(Files.exists(file)).isTrue();
      assertThat(db.url()).isEqualTo("jdbc:sqlite:" + file.toAbsolutePath());
      assertThat(db.schemaVersion()).isEqualTo(Dialect.SQLITE.latestVersion());
      assertThat(tables(db)).contains("jobs", "images", "api_keys", "schema_version");
    }
  }

  @Test
  void opensAJdbcUrl() {
    String url = "jdbc:sqlite:" + dir.resolve("url.db");

    try (Database db = Database.open(url)) {
      assertThat(db.url()).isEqualTo(url);
      assertThat(db.schemaVersion()).isEqualTo(Dialect.SQLITE.latestVersion());
    }
  }

  @Test
  void rejectsOtherJdbcKindsAndInMemoryDatabases() {
    assertThatThrownBy(() -> Database.open("jdbc:mysql://db/comfygate"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:sqlite: and jdbc:postgresql:");
    assertThatThrownBy(() -> Database.open("jdbc:sqlite::memory:"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-memory");
    assertThatThrownBy(() -> Database.open(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyConnectionHasTheConfiguredPragmas() {
    try (Database db = Database.builder(dir.resolve("p.db").toString())
        .busyTimeout(java.time.Duration.ofMillis(4321)).build()) {
      List<String> onWrite = db.inTransaction("test", DatabaseTest::pragmas);
      List<String> onRead = db.read("test", DatabaseTest::pragmas);

      assertThat(onWrite).containsExactly("wal", "4321", "1", "1");
      assertThat(onRead).isEqualTo(onWrite);
      assertThat(db.<String>inTransaction("test", c -> text(c, "PRAGMA wal_autocheckpoint")))
          .as("the writer checkpoints less often than SQLite's default of 1000 pages")
          .isEqualTo(String.valueOf(Database.WAL_CHECKPOINT_PAGES));
    }
  }

  @Test
  void inTransactionCommitsOnReturnAndRollsBackOnThrow() {
    try (Database db = SqliteStoreFile.open(dir)) {
      db.inTransaction("test", c -> update(c, "CREATE TABLE t (v INTEGER)"));
      db.inTransaction("test", c -> update(c, "INSERT INTO t VALUES (1)"));

      assertThatThrownBy(() -> db.inTransaction("test", c -> {
        update(c, "INSERT INTO t VALUES (2)");
        throw new IllegalStateException("boom");
      })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
      assertThatThrownBy(() -> db.inTransaction("test.fail", c -> {
        update(c, "INSERT INTO t VALUES (3)");
        return update(c, "INSERT INTO no_such_table VALUES (1)");
      })).isInstanceOf(StoreException.class).hasMessageStartingWith("test.fail:")
          .hasCauseInstanceOf(SQLException.class);

      assertThat(db.<Long>read("test", c -> query(c, "SELECT COUNT(*) FROM t"))).isEqualTo(1L);
      // The write connection is usable again after both failures.
      assertThat(db.<Integer>inTransaction("test", c -> update(c, "INSERT INTO t VALUES (4)")))
          .isOne();
    }
  }

  @Test
  void nestedTransactionsOnOneThreadAreRefusedInsteadOfDeadlocking() {
    try (Database db = SqliteStoreFile.open(dir)) {
      assertThatThrownBy(() -> db.inTransaction("outer",
          c -> db.inTransaction("inner", inner -> 1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("nested");
      assertThat(db.<Integer>inTransaction("after", c -> 2)).isEqualTo(2);
    }
  }

  @Test
  void readConnectionsRefuseWrites() {
    try (Database db = SqliteStoreFile.open(dir)) {
      assertThatThrownBy(() -> db.read("test.read",
          c -> update(c, "INSERT INTO schema_version VALUES (99, 'x', 0)")))
          .isInstanceOf(StoreException.class).hasMessageStartingWith("test.read");
      assertThat(db.schemaVersion()).isEqualTo(Dialect.SQLITE.latestVersion());
    }
  }

  @Test
  void appliesMigrationsInOrderAndOnlyOnce() {
    String location = dir.resolve("m.db").toString();
    try (Database db = Database.builder(location)
        .migrations(List.of(MIGRATIONS + "good/V1__notes.sql")).build()) {
      assertThat(db.schemaVersion()).isEqualTo(1);
    }
    List<String> both = List.of(MIGRATIONS + "good/V1__notes.sql", MIGRATIONS + "good/V2__tags.sql");
    try (Database db = Database.builder(location).migrations(both).build()) {
      assertThat(db.schemaVersion()).isEqualTo(2);
    }
    // Opening again applies nothing: V1's insert would otherwise clash on the primary key.
    try (Database db = Database.builder(location).migrations(both).build()) {
      assertThat(db.<Long>read("test", c -> query(c, "SELECT COUNT(*) FROM notes")))
          .isEqualTo(1L);
      assertThat(db.<String>read("test", c -> text(c, "SELECT tag FROM notes")))
          .isEqualTo("from V2");
    }
  }

  @Test
  void theWaitingCountsOfVersion13StartFromTheJobsAlreadyStored() {
    WaitingCountsUpgrade.check("jdbc:sqlite:" + dir.resolve("upgrade.db"), Dialect.SQLITE);
  }

  @Test
  void aFailingMigrationLeavesNoTraceAndStopsTheOpen() {
    String location = dir.resolve("broken.db").toString();
    List<String> broken =
        List.of(MIGRATIONS + "good/V1__notes.sql", MIGRATIONS + "broken/V2__half.sql");

    assertThatThrownBy(() -> Database.builder(location).migrations(broken).build())
        .isInstanceOf(StoreException.class).hasMessageStartingWith("db.migrate.V2");

    try (Database db = Database.builder(location)
        .migrations(List.of(MIGRATIONS + "good/V1__notes.sql")).build()) {
      assertThat(db.schemaVersion()).isEqualTo(1);
      assertThat(tables(db)).contains("notes").doesNotContain("half_done");
    }
  }

  @Test
  void refusesADatabaseWithANewerSchemaThanTheCodeKnows() {
    String location = dir.resolve("newer.db").toString();
    int future = Dialect.SQLITE.latestVersion() + 1;
    try (Database db = Database.open(location)) {
      db.inTransaction("test",
          c -> update(c, "INSERT INTO schema_version VALUES (" + future + ", 'future', 0)"));
    }

    assertThatThrownBy(() -> Database.open(location))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version " + future + " is newer than this ComfyGate supports (" + Dialect.SQLITE.latestVersion() + ")");
  }

  @Test
  void migrationsMustStartAtOneAndGoUp() {
    assertThatThrownBy(() -> Database.builder(dir.resolve("g.db").toString())
        .migrations(List.of(MIGRATIONS + "good/V2__tags.sql")).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void splitsScriptsIntoStatementsSkippingComments() {
    assertThat(Migrator.statements("""
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT);
        CREATE INDEX a_x
          ON a (x);
        """)).containsExactly("CREATE TABLE a (x TEXT)", "CREATE INDEX a_x\n  ON a (x)");
  }

  @Test
  void closeIsIdempotentAndLaterUseFailsWithStoreException() {
    Database db = SqliteStoreFile.open(dir);
    db.close();
    db.close();

    assertThatThrownBy(db::schemaVersion).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> db.inTransaction("late", c -> 1)).isInstanceOf(StoreException.class);
  }

  @Test
  void builderRejectsBadSettings() {
    Database.Builder builder = Database.builder(dir.resolve("x.db").toString());
    assertThatThrownBy(() -> builder.busyTimeout(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyTimeout");
    assertThatThrownBy(() -> builder.acquireTimeout(java.time.Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acquireTimeout");
    assertThatThrownBy(() -> builder.readPoolSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readPoolSize");
  }

  private static List<String> pragmas(java.sql.Connection c) throws SQLException {
    return List.of(
        text(c, "PRAGMA journal_mode"),
        text(c, "PRAGMA busy_timeout"),
        text(c, "PRAGMA synchronous"), // 1 = NORMAL
        text(c, "PRAGMA foreign_keys"));
  }

  private static List<String> tables(Database db) {
    return db.read("test", c -> {
      List<String> names = new java.util.ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(
          "SELECT name FROM sqlite_master WHERE type = 'table'");
          ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      return names;
    });
  }

  static int update(java.sql.Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  static long query(java.sql.Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  static String text(java.sql.Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
