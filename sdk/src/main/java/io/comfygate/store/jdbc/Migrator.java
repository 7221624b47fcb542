package io.comfygate.store.jdbc;

import io.comfygate.errors.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings a database schema up to date from versioned SQL scripts ({@code V<n>__<name>.sql}), each
 * applied once, in order, in its own write transaction together with its {@code schema_version}
 * row. A database whose version is newer than the newest script is refused rather than used: the
 * code would misread it.
 *
 * <p>Versions increase from script to script but may leave gaps (a number taken by work on
 * another branch): each script whose version the database has not recorded is applied, also one
 * below the database's current version, so a gap filled by a later release is applied then.
 *
 * <p>Each migration transaction first takes the database's migration lock ({@link
 * Dialect#lockInLine}), so that two processes starting at once on one PostgreSQL apply each script
 * once; SQLite's write lock does that already.
 *
 * <p>Scripts are split into statements at semicolons that end a line; lines starting with
 * {@code --} are comments. Keep string literals free of such semicolons.
 */
final class Migrator {
  private static final Pattern NAME = Pattern.compile(".*/V(\\d+)__(\\w+)\\.sql");

  private final List<String> resources;

  Migrator(List<String> resources) {
    int previous = 0;
    for (String resource : resources) {
      int version = version(resource);
      if (version <= previous) {
        throw new IllegalArgumentException("migrations must be numbered from 1 up, in order: " + resources);
      }
      previous = version;
    }
    if (!resources.isEmpty() && version(resources.get(0)) != 1) {
      throw new IllegalArgumentException("migrations must start at version 1: " + resources);
    }
    this.resources = List.copyOf(resources);
  }

  void migrate(Database db) {
    java.util.Set<Integer> applied = db.inTransaction("db.migrate", connection -> {
      db.dialect().lockInLine(connection, "migrate");
      try (Statement statement = connection.createStatement()) {
        statement.execute("""
            CREATE TABLE IF NOT EXISTS schema_version (
              version     INTEGER NOT NULL PRIMARY KEY,
              description TEXT    NOT NULL,
              applied_at  BIGINT  NOT NULL
            )""");
      }
      return appliedVersions(connection);
    });
    int current = applied.stream().mapToInt(Integer::intValue).max().orElse(0);
    int latest = latest();
    if (current > latest) {
      throw new StoreException("db.migrate", "database schema version " + current
          + " is newer than this ComfyGate supports (" + latest + "); upgrade"
          + " ComfyGate or point JOB_DB_PATH at another database");
    }
    for (String resource : resources) {
      if (!applied.contains(version(resource))) {
        apply(db, resource);
      }
    }
  }

  /** The newest version the scripts bring a database to (0 without scripts). */
  int latest() {
    return resources.isEmpty() ? 0 : version(resources.get(resources.size() - 1));
  }

  private static java.util.Set<Integer> appliedVersions(Connection connection) throws SQLException {
    java.util.Set<Integer> versions = new java.util.HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT version FROM schema_version");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
    }
    return versions;
  }

  static int currentVersion(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static void apply(Database db, String resource) {
    int version = version(resource);
    List<String> statements = statements(read(resource));
    db.inTransaction("db.migrate.V" + version, connection -> {
      db.dialect().lockInLine(connection, "migrate");
      // Another process may have applied it since we looked.
      if (appliedVersions(connection).contains(version)) {
        return null;
      }
      try (Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
      try (PreparedStatement insert = connection.prepareStatement("""
          INSERT INTO schema_version (version, description, applied_at)
          VALUES (?, ?, ?)""")) {
        insert.setInt(1, version);
        insert.setString(2, description(resource));
        insert.setLong(3, System.currentTimeMillis());
        insert.executeUpdate();
      }
      return null;
    });
  }

  static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String part : withoutComments.toString().split(";[ \\t\\r]*\n")) {
      String sql = part.strip();
      if (sql.endsWith(";")) {
        sql = sql.substring(0, sql.length() - 1).strip();
      }
      if (!sql.isEmpty()) {
        statements.add(sql);
      }
    }
    return statements;
  }

  private static int version(String resource) {
    return Integer.parseInt(matcher(resource).group(1));
  }

  private static String description(String resource) {
    return matcher(resource).group(2);
  }

  private static Matcher matcher(String resource) {
    Matcher matcher = NAME.matcher(resource);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("migration must be named .../V<n>__<name>.sql: " + resource);
    }
    return matcher;
  }

  private static String read(String resource) {
    try (InputStream in = Migrator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new StoreException("db.migrate", "migration script missing from classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("db.migrate", "cannot read " + resource, e);
    }
  }
}
