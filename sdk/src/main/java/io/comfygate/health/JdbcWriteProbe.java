package io.comfygate.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Proves the database takes writes: upserts the single row of {@code health_probe} with a fresh
 * token and reads it back, in one transaction so a concurrent probe cannot overwrite it in between.
 * Plain SQL that SQLite and the usual servers accept.
 */
final class JdbcWriteProbe {
  private static final String CREATE = """
      CREATE TABLE IF NOT EXISTS health_probe (
        id INTEGER PRIMARY KEY,
        token VARCHAR(64) NOT NULL,
        written_at VARCHAR(40) NOT NULL
      )""";
  private static final String UPDATE = "UPDATE health_probe SET token = ?, written_at = ? WHERE id = 1";
  private static final String INSERT = "INSERT INTO health_probe (id, token, written_at) VALUES (1, ?, ?)";
  private static final String READ = "SELECT token FROM health_probe WHERE id = 1";

  private final DataSource dataSource;
  private final int queryTimeoutSeconds;

  JdbcWriteProbe(DataSource dataSource, Duration timeout) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.queryTimeoutSeconds = (int) Math.max(1, timeout.toSeconds());
  }

  String call() throws SQLException {
    String token = UUID.randomUUID().toString();
    String readBack;
    String database;
    try (Connection c = dataSource.getConnection()) {
      readBack = inTransaction(c, token);
      database = describe(c);
    } catch (SQLException e) {
      throw new SQLException("database write failed: " + e.getMessage(), e);
    }
    if (!token.equals(readBack)) {
      throw new SQLException("database write not read back: wrote " + token + ", read " + readBack);
    }
    return "wrote and read back health_probe on " + database;
  }

  /**
   * The database this instance writes to, e.g. "PostgreSQL 15.8 at jdbc:postgresql://db:5432/comfygate":
   * with several instances, an operator sees on each one's health that they share one. The URL loses
   * its query and user-info parts, where credentials may be.
   */
  static String describe(Connection c) throws SQLException {
    var meta = c.getMetaData();
    String url = meta.getURL() == null ? "(no URL)" : withoutCredentials(meta.getURL());
    return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " at " + url;
  }

  static String withoutCredentials(String jdbcUrl) {
    String bare = jdbcUrl.replaceFirst("[?;].*$", "");
    return bare.replaceFirst("//[^/@]*@", "//");
  }

  private String inTransaction(Connection c, String token) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      String readBack = writeAndRead(c, token);
      c.commit();
      return readBack;
    } catch (SQLException e) {
      rollbackQuietly(c, e);
      throw e;
    } finally {
      c.setAutoCommit(autoCommit); // pooled connections go back as they came
    }
  }

  private String writeAndRead(Connection c, String token) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(queryTimeoutSeconds);
      s.execute(CREATE);
    }
    String now = Instant.now().toString();
    if (update(c, UPDATE, token, now) == 0) {
      update(c, INSERT, token, now);
    }
    try (PreparedStatement read = c.prepareStatement(READ)) {
      read.setQueryTimeout(queryTimeoutSeconds);
      try (ResultSet rs = read.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private int update(Connection c, String sql, String token, String now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setQueryTimeout(queryTimeoutSeconds);
      ps.setString(1, token);
      ps.setString(2, now);
      return ps.executeUpdate();
    }
  }

  private static void rollbackQuietly(Connection c, SQLException cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e); // the original failure is the one worth reporting
    }
  }
}
