package io.comfygate.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What differs between the two databases a {@link Database} can stand on: how a write transaction
 * starts and ends, how a read gets one snapshot, where the migrations are, and how concurrent
 * writers that must see each other's rows (two submits of one user, two processes migrating) are
 * put in line. The queries themselves are the same text on both.
 *
 * <p>SQLite has one writer per file: {@code BEGIN IMMEDIATE} takes the file's write lock at the
 * start, so every write transaction, of this process or another, already runs alone. PostgreSQL
 * runs writers side by side under READ COMMITTED; where two of them must not both pass a check
 * (the per-user waiting limit, the idempotency key, a migration), they first take a
 * transaction-scoped advisory lock on what they check, released by their COMMIT or ROLLBACK.
 */
enum Dialect {
  SQLITE("/io/comfygate/store/schema/") {
    @Override
    void begin(Connection connection) throws SQLException {
      execute(connection, "BEGIN IMMEDIATE");
    }

    @Override
    void commit(Connection connection) throws SQLException {
      execute(connection, "COMMIT");
    }

    @Override
    void rollback(Connection connection) throws SQLException {
      execute(connection, "ROLLBACK");
    }

    @Override
    void end(Connection connection) {
      // autocommit stays on: BEGIN and COMMIT are statements of their own
    }

    @Override
    void beginRead(Connection connection) {
      // The read pool's connections run with autocommit off: the first SELECT opens the snapshot.
    }

    @Override
    void lockInLine(Connection connection, String what) {
      // BEGIN IMMEDIATE already holds the only write lock there is.
    }

    @Override
    String skipLockedRows() {
      return ""; // the only writer: no row is locked by another
    }
  },

  POSTGRESQL("/io/comfygate/store/schema/postgresql/") {
    @Override
    void begin(Connection connection) throws SQLException {
      connection.setAutoCommit(false);
    }

    @Override
    void commit(Connection connection) throws SQLException {
      connection.commit();
    }

    @Override
    void rollback(Connection connection) throws SQLException {
      connection.rollback();
    }

    @Override
    void end(Connection connection) throws SQLException {
      // A container's pool may hand the connection on as it gets it back.
      connection.setAutoCommit(true);
    }

    @Override
    void beginRead(Connection connection) throws SQLException {
      connection.setAutoCommit(false);
      // A page and its total from one snapshot, as SQLite's read transaction gives them.
      execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }

    @Override
    void lockInLine(Connection connection, String what) throws SQLException {
      // Held until this transaction ends. Keyed by name within the current schema, so that two
      // ComfyGate databases (or test schemas) on one server never wait for each other.
      try (PreparedStatement lock = connection.prepareStatement(
          "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || ?, 0))")) {
        lock.setString(1, what);
        lock.execute();
      }
    }

    @Override
    String skipLockedRows() {
      return " FOR UPDATE SKIP LOCKED";
    }
  };

  private static final List<String> SCRIPTS = List.of(
      "V1__init.sql",
      "V2__api_keys.sql",
      "V3__webhooks.sql",
      "V4__uploads.sql",
      "V5__idempotency.sql",
      "V6__webhook_paging.sql",
      "V7__webhook_retry_from.sql",
      "V8__jobs_waiting_index.sql",
      "V9__webhook_claims.sql",
      "V10__cluster.sql",
      "V11__job_changes_by_transaction.sql",
      "V12__lease_liveness.sql",
      "V13__user_waiting_counts.sql");

  private final String schemaFolder;

  Dialect(String schemaFolder) {
    this.schemaFolder = schemaFolder;
  }

  /**
   * The schema of this release for this database, oldest first: the same versions with the same
   * meaning on both. Add new scripts at the end of both folders; never edit old ones.
   */
  List<String> migrations() {
    return SCRIPTS.stream().map(name -> schemaFolder + name).toList();
  }

  /** The schema version these migrations bring a database to. */
  int latestVersion() {
    return new Migrator(migrations()).latest();
  }

  /** Starts a write transaction on a connection fresh from the pool. */
  abstract void begin(Connection connection) throws SQLException;

  abstract void commit(Connection connection) throws SQLException;

  abstract void rollback(Connection connection) throws SQLException;

  /** Leaves the connection as the pool gave it, after the commit or rollback. */
  abstract void end(Connection connection) throws SQLException;

  /** Starts a read-only transaction that sees one snapshot; {@link Database#read} rolls it back. */
  abstract void beginRead(Connection connection) throws SQLException;

  /**
   * Waits, inside a write transaction, until no other transaction holds {@code what}, and holds it
   * until this one ends: writers that check and then insert rows of the same kind run one after
   * the other, also from other processes.
   */
  abstract void lockInLine(Connection connection, String what) throws SQLException;

  /**
   * The end of a {@code SELECT} inside a write transaction that locks the rows it returns until
   * the transaction ends and passes over rows another transaction has locked, rather than waiting
   * for them: how concurrent claimers of queued rows each get different ones. Empty on SQLite,
   * where a write transaction already runs alone.
   */
  abstract String skipLockedRows();

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
