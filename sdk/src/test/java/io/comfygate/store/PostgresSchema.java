package io.comfygate.store;

import io.comfygate.store.jdbc.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh schema of its own on the test PostgreSQL for each test, created before it and dropped
 * (with everything in it) after it, so that tests and test runs in parallel never see each other's
 * rows: register with {@code @RegisterExtension final PostgresSchema store = new PostgresSchema();}.
 *
 * <p>The server is the one {@code .ci/run} makes sure of: {@code 127.0.0.1:5432}, database {@code
 * test}, user {@code postgres}, trust authentication. Another can be named by the system property
 * {@value #URL_PROPERTY} (a {@code jdbc:postgresql:} URL without a password). A server that cannot be
 * reached fails the test: it is not skipped.
 */
public final class PostgresSchema implements BeforeEachCallback, AfterEachCallback, StoreContractSupport.Stores {
  public static final String URL_PROPERTY = "comfygate.test.postgresql";
  private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private String schema;
  private Database db;
  private Path dir;

  /** The server's URL, not bound to any schema. */
  public static String serverUrl() {
    return System.getProperty(URL_PROPERTY, DEFAULT_URL);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws SQLException, IOException {
    dir = Files.createTempDirectory("comfygate-pg-");
    schema = "cg_test_" + UUID.randomUUID().toString().replace("-", "");
    admin("CREATE SCHEMA " + schema);
    db = open();
  }

  @Override
  public void afterEach(ExtensionContext context) throws SQLException, IOException {
    try {
      if (db != null) {
        db.close();
      }
    } finally {
      admin("DROP SCHEMA " + schema + " CASCADE");
      SqliteStoreFile.deleteTree(dir);
    }
  }

  /** The test's own folder, for files beside the database (outputs, uploads). */
  @Override
  public Path dir() {
    return dir;
  }

  /** Opens another {@link Database} on this test's schema, as a second process would; the caller closes it. */
  @Override
  public Database open() {
    return Database.builder(url()).poolSize(4).build();
  }

  /** A URL whose connections work in this test's schema. */
  public String url() {
    String server = serverUrl();
    return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** This test's schema name. */
  public String schema() {
    return schema;
  }

  @Override
  public Database db() {
    return db;
  }

  /** Closes the store and opens the same schema again, as a restart would. */
  @Override
  public Database reopen() {
    db.close();
    db = open();
    return db;
  }


  /**
   * Ends, as a cut connection would, the sessions that hold this schema's dispatcher liveness lock
   * (see {@code LivenessLock}); returns how many there were.
   */
  public int terminateLivenessLockHolders() throws SQLException {
    try (Connection connection = DriverManager.getConnection(serverUrl());
        java.sql.PreparedStatement terminate = connection.prepareStatement("SELECT count(pg_terminate_backend(pid))"
            + " FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            + " AND ((classid::int8 << 32) | objid::int8) = hashtextextended(? || ':dispatcher-alive', 0)")) {
      terminate.setString(1, schema);
      try (java.sql.ResultSet rows = terminate.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /** Runs {@code sql} on the server outside any test schema (creating and dropping schemas). */
  public static void admin(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(serverUrl());
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(30);
      statement.execute(sql);
    }
  }
}
