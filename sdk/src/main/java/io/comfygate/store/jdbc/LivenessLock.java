package io.comfygate.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The dispatcher's sign of life: a session-level advisory lock ({@link ClusterStore#LIVENESS_KEY})
 * held by the lease's holder on a PostgreSQL connection of its own, outside the pools ({@link
 * Database#openSession}). When the holder's process dies, the server sees its socket close and
 * drops the lock at once, and a follower may then take the lease early ({@link ClusterStore#steal}).
 * The session asks the server to probe a silent client with TCP keepalives, so a host that vanished
 * without closing its sockets is noticed within seconds too.
 *
 * <p>The lock only speeds a take-over up; nothing depends on it for safety. If another session has
 * it (an old holder, paused, that has not stepped down yet) {@link #hold} keeps trying; if its
 * connection breaks, {@link #hold} opens another. Thread-safe (one thread uses it, another may
 * close it). {@link #close} lets the lock go and closes the connection; idempotent.
 */
public final class LivenessLock implements AutoCloseable {
  private final Database db;
  private final String name;
  private final Duration timeout;
  private Connection connection;
  private boolean held;

  LivenessLock(Database db, String holder, Duration timeout) {
    this.db = db;
    this.name = "comfygate-alive " + holder;
    this.timeout = timeout;
  }

  /**
   * Makes sure this instance holds the lock: checks its connection with one round trip, or opens
   * a new one and tries to take it (without waiting).
   *
   * @return whether it holds it now
   * @throws SQLException if the server cannot be reached (tried again at the next call)
   */
  public synchronized boolean hold() throws SQLException {
    if (connection != null && connection.isValid((int) Math.max(1, timeout.toSeconds()))) {
      if (held) {
        return true; // a session lock lasts as long as its session
      }
    } else {
      close();
      connection = db.openSession(name, timeout);
      try (Statement keepalive = connection.createStatement()) {
        keepalive.execute("SELECT set_config('tcp_keepalives_idle', '2', false),"
            + " set_config('tcp_keepalives_interval', '1', false), set_config('tcp_keepalives_count', '2', false)");
      }
    }
    try (PreparedStatement take = connection.prepareStatement("SELECT pg_try_advisory_lock(" + ClusterStore.LIVENESS_KEY + ")");
        ResultSet got = take.executeQuery()) {
      held = got.next() && got.getBoolean(1);
    }
    return held;
  }

  /** Whether the lock was held at the last {@link #hold}. */
  public synchronized boolean held() {
    return held;
  }

  /** Lets the lock go and closes its connection (a container's pool gets a session without it). */
  @Override
  public synchronized void close() {
    Connection c = connection;
    connection = null;
    if (c == null) {
      return;
    }
    if (held) {
      held = false;
      try (Statement unlock = c.createStatement()) {
        unlock.execute("SELECT pg_advisory_unlock_all()");
      } catch (SQLException e) {
        // the session is gone, and the lock with it
      }
    }
    try {
      c.close();
    } catch (SQLException e) {
      // gone either way
    }
  }
}
