package io.comfygate.store.jdbc;

import static io.comfygate.store.jdbc.Binds.getInstant;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The instances sharing one PostgreSQL database and the dispatcher lease they compete for
 * (tables {@code instances} and {@code leases}). Every time here is the database's clock, never
 * an instance's: instances whose clocks disagree still agree on who holds the lease.
 *
 * <p>The lease has a holder, an expiry and a fence that grows by one at each new holder. A holder
 * renews it before it expires; another instance can take it once it has expired (or was
 * released), or earlier from a holder that is gone ({@link #steal}). Dispatch writes check holder
 * and fence in their own transaction ({@link #fence}), so a holder that was paused past its lease
 * cannot act on its strength. Thread-safe.
 *
 * <p><b>Taking over from a dead holder.</b> While it holds the lease, the holder also holds a
 * session-level advisory lock on a connection of its own ({@link LivenessLock}); PostgreSQL drops
 * it the moment that session ends, as when the process dies. Each acquisition and renewal also
 * records when it was made ({@code renewed_at}) and the holder's send window W: the holder sends
 * to ComfyUI only until W after the start of its last renewal, by its own clock, less a margin. A
 * steal needs both: the lock free (the holder's session is gone) and the last renewal older than
 * W (an alive holder whose connection was cut has stopped sending by then). A holder that is alive
 * and connected but slow (a long GC pause) keeps its lock, so it keeps the lease until it expires.
 */
public final class ClusterStore {
  /** The lease of the instance that drives every ComfyUI backend. */
  public static final String DISPATCHER = "dispatcher";
  /** The database's clock in epoch milliseconds (the statement's own time, not the transaction's). */
  static final String DB_NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
  /** The key of the dispatcher's liveness lock, per schema like {@link Dialect#lockInLine}'s. */
  static final String LIVENESS_KEY = "hashtextextended(current_schema() || ':dispatcher-alive', 0)";
  /** What an acquisition, a renewal and a steal record besides the expiry (binds: send window ms). */
  private static final String RENEWED = "renewed_at = " + DB_NOW + ", send_window = ?";

  private final Database db;

  /** @throws IllegalArgumentException if {@code db} is not PostgreSQL (SQLite has one instance) */
  public ClusterStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    if (!db.isPostgresql()) {
      throw new IllegalArgumentException("several instances need PostgreSQL; " + db.url() + " is SQLite");
    }
  }

  /** An instance as its row says. */
  public record InstanceRow(String id, String host, String version, Instant startedAt, Instant heartbeatAt,
      Instant stoppedAt) {}

  /**
   * The lease as its row says; {@code live} when it has a holder and has not expired, and then
   * {@code remaining} until it expires unless renewed (zero when not live).
   */
  public record LeaseRow(String holder, long fence, Instant expiresAt, boolean live, Duration remaining) {}

  /** Records that the instance is alive now (its row is created on its first heartbeat). */
  public void heartbeat(String id, String host, String version) {
    db.inTransaction("cluster.heartbeat", tx -> {
      try (PreparedStatement upsert = tx.prepareStatement("INSERT INTO instances"
          + " (id, host, version, started_at, heartbeat_at, stopped_at) VALUES (?, ?, ?, " + DB_NOW + ", " + DB_NOW
          + ", NULL) ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, stopped_at = NULL")) {
        upsert.setString(1, id);
        upsert.setString(2, host);
        upsert.setString(3, version);
        upsert.executeUpdate();
      }
      return null;
    });
  }

  /** Records a clean stop of the instance. */
  public void stopped(String id) {
    db.inTransaction("cluster.stopped", tx -> {
      try (PreparedStatement update = tx.prepareStatement(
          "UPDATE instances SET stopped_at = " + DB_NOW + " WHERE id = ?")) {
        update.setString(1, id);
        update.executeUpdate();
      }
      return null;
    });
  }

  /**
   * Takes the lease if nobody holds it, it has expired, or {@code holder} holds it already (it
   * lost track of it, say after a failed round trip): always with a new fence.
   *
   * @return the new fence, or empty if another instance holds a live lease
   */
  public OptionalLong acquire(String holder, Duration lease, Duration sendWindow) {
    return db.inTransaction("cluster.acquire", tx -> {
      waitForTheRowAtMostASecond(tx);
      try (PreparedStatement update = take(tx, "(holder IS NULL OR holder = ? OR expires_at <= " + DB_NOW + ")",
          holder, lease, sendWindow)) {
        update.setString(5, holder);
        return newFence(update);
      }
    });
  }

  /**
   * Takes the lease from a holder that is gone, before it expires: only if no session holds the
   * holder's liveness lock (tried, not waited for, and held to the end of this transaction so that
   * no new holder takes it meanwhile) and the holder's last acquisition or renewal is older than
   * its send window and {@code sendWindow}, whichever is longer. The lease is taken as by {@link
   * #acquire}, with a new fence; the old holder's renewals and dispatch writes are refused from then
   * on. A holder that never recorded a send window under its fence (a version before this one) is
   * never taken from: it has to expire.
   *
   * @param sendWindow this instance's send window, the least time the last renewal must be old
   * @return the new fence and the holder it was taken from, or empty if the holder may be alive
   */
  public Optional<Steal> steal(String stealer, Duration lease, Duration sendWindow) {
    return db.inTransaction("cluster.steal", tx -> {
      try (PreparedStatement lock = tx.prepareStatement("SELECT pg_try_advisory_xact_lock(" + LIVENESS_KEY + ")");
          ResultSet free = lock.executeQuery()) {
        if (!free.next() || !free.getBoolean(1)) {
          return Optional.empty(); // the holder's session is alive
        }
      }
      waitForTheRowAtMostASecond(tx);
      String seenHolder;
      long seenFence;
      try (PreparedStatement select = tx.prepareStatement(
          "SELECT holder, fence FROM leases WHERE name = ? AND holder IS NOT NULL AND holder <> ? FOR UPDATE")) {
        select.setString(1, DISPATCHER);
        select.setString(2, stealer);
        try (ResultSet rows = select.executeQuery()) {
          if (!rows.next()) {
            return Optional.empty(); // free (acquire takes it) or this instance's own
          }
          seenHolder = rows.getString(1);
          seenFence = rows.getLong(2);
        }
      }
      try (PreparedStatement update = take(tx, "holder = ? AND fence = ? AND renewed_fence = fence"
          + " AND renewed_at + GREATEST(send_window, ?) < " + DB_NOW, stealer, lease, sendWindow)) {
        update.setString(5, seenHolder);
        update.setLong(6, seenFence);
        update.setLong(7, sendWindow.toMillis());
        OptionalLong fence = newFence(update);
        return fence.isPresent() ? Optional.of(new Steal(fence.getAsLong(), seenHolder)) : Optional.empty();
      }
    });
  }

  /** A lease taken from a holder that was gone: the new fence, and who held it. */
  public record Steal(long fence, String from) {}

  /** A holder's dispatch write may hold the lease row a moment; one paused inside it must not stall us. */
  private static void waitForTheRowAtMostASecond(Connection tx) throws SQLException {
    try (PreparedStatement wait = tx.prepareStatement("SET LOCAL lock_timeout = '1s'")) {
      wait.execute();
    }
  }

  /**
   * The update that makes {@code holder} the lease's holder with the next fence, where {@code
   * condition} holds (its binds from 5 on are the caller's); it returns the fence.
   */
  private static PreparedStatement take(Connection tx, String condition, String holder, Duration lease,
      Duration sendWindow) throws SQLException {
    PreparedStatement update = tx.prepareStatement("UPDATE leases SET holder = ?, fence = fence + 1,"
        + " renewed_fence = fence + 1, expires_at = " + DB_NOW + " + ?, " + RENEWED + " WHERE name = ? AND "
        + condition + " RETURNING fence");
    try {
      update.setString(1, holder);
      update.setLong(2, lease.toMillis());
      update.setLong(3, sendWindow.toMillis());
      update.setString(4, DISPATCHER);
      return update;
    } catch (SQLException e) {
      update.close();
      throw e;
    }
  }

  private static OptionalLong newFence(PreparedStatement update) throws SQLException {
    try (ResultSet rows = update.executeQuery()) {
      return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
    }
  }

  /**
   * Extends a live lease this holder has with this fence, and records the renewal (its time and
   * the holder's send window); false if it has lost it.
   */
  public boolean renew(String holder, long fence, Duration lease, Duration sendWindow) {
    return db.inTransaction("cluster.renew", tx -> {
      try (PreparedStatement update = tx.prepareStatement("UPDATE leases SET expires_at = " + DB_NOW + " + ?, "
          + RENEWED + ", renewed_fence = fence WHERE name = ? AND holder = ? AND fence = ? AND expires_at > " + DB_NOW)) {
        update.setLong(1, lease.toMillis());
        update.setLong(2, sendWindow.toMillis());
        update.setString(3, DISPATCHER);
        update.setString(4, holder);
        update.setLong(5, fence);
        return update.executeUpdate() == 1;
      }
    });
  }

  /**
   * The dispatcher's liveness lock for {@code holder}, not yet taken: see {@link LivenessLock}.
   *
   * @param timeout for connecting and for each round trip on the lock's own connection
   */
  public LivenessLock livenessLock(String holder, Duration timeout) {
    return new LivenessLock(db, holder, timeout);
  }

  /** Gives the lease up at once (a clean stop), so another instance can take it without waiting. */
  public boolean release(String holder, long fence) {
    return db.inTransaction("cluster.release", tx -> {
      try (PreparedStatement update = tx.prepareStatement(
          "UPDATE leases SET holder = NULL, expires_at = 0 WHERE name = ? AND holder = ? AND fence = ?")) {
        update.setString(1, DISPATCHER);
        update.setString(2, holder);
        update.setLong(3, fence);
        return update.executeUpdate() == 1;
      }
    });
  }

  /** The dispatcher lease now. */
  public LeaseRow lease() {
    return db.read("cluster.lease", tx -> {
      try (PreparedStatement select = tx.prepareStatement("SELECT holder, fence, expires_at,"
          + " GREATEST(expires_at - " + DB_NOW + ", 0) AS remaining FROM leases WHERE name = ?")) {
        select.setString(1, DISPATCHER);
        try (ResultSet rows = select.executeQuery()) {
          if (!rows.next()) {
            return new LeaseRow(null, 0, Instant.EPOCH, false, Duration.ZERO);
          }
          String holder = rows.getString("holder");
          long remaining = holder == null ? 0 : rows.getLong("remaining");
          return new LeaseRow(holder, rows.getLong("fence"), getInstant(rows, "expires_at"), remaining > 0,
              Duration.ofMillis(remaining));
        }
      }
    });
  }

  /** Every instance that has run on this database, most recent heartbeat first. */
  public List<InstanceRow> instances() {
    return db.read("cluster.instances", tx -> {
      try (PreparedStatement select = tx.prepareStatement("SELECT id, host, version, started_at, heartbeat_at,"
          + " stopped_at FROM instances ORDER BY heartbeat_at DESC, id")) {
        List<InstanceRow> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.add(new InstanceRow(rows.getString("id"), rows.getString("host"), rows.getString("version"),
                getInstant(rows, "started_at"), getInstant(rows, "heartbeat_at"), getInstant(rows, "stopped_at")));
          }
        }
        return out;
      }
    });
  }

  /** Forgets instances stopped or silent for longer than {@code age}; returns how many. */
  public int forgetInstancesOlderThan(Duration age) {
    return db.inTransaction("cluster.forget", tx -> {
      try (PreparedStatement delete = tx.prepareStatement(
          "DELETE FROM instances WHERE heartbeat_at < " + DB_NOW + " - ?")) {
        delete.setLong(1, age.toMillis());
        return delete.executeUpdate();
      }
    });
  }

  /**
   * The check of a dispatch write: {@code holder} holds a live lease with the fence {@code
   * fence} gives now. It locks the lease row (shared) until the write's transaction ends, so a new
   * holder's acquisition, and the recovery that follows it, see that write.
   */
  public DispatchFence fence(String holder, LongSupplier fence) {
    return tx -> holdsLive(tx, holder, fence.getAsLong(), " FOR SHARE");
  }

  /** Whether {@code holder} holds a live lease with {@code fence} now (a check before an interrupt). */
  public boolean holds(String holder, long fence) {
    return db.read("cluster.holds", tx -> holdsLive(tx, holder, fence, ""));
  }

  /** The lease row says {@code holder} holds it, live, with {@code fence}; {@code lock} is appended to the query. */
  private static boolean holdsLive(Connection tx, String holder, long fence, String lock) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement("SELECT 1 FROM leases WHERE name = ? AND holder = ?"
        + " AND fence = ? AND expires_at > " + DB_NOW + lock)) {
      select.setString(1, DISPATCHER);
      select.setString(2, holder);
      select.setLong(3, fence);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next();
      }
    }
  }
}
