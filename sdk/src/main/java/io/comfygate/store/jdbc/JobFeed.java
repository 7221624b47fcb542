package io.comfygate.store.jdbc;

import static io.comfygate.store.jdbc.Binds.getInstant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The job-change feed of instances sharing one PostgreSQL database: every change of a job (its
 * insert, hand-over, state changes, a cancel request) is a row of {@code job_changes}, written by
 * {@link JdbcJobStore} in the change's own transaction, so a change and its row commit together.
 * Writers take no lock for the feed: each row records its transaction ({@code tx}), and a reader
 * ({@link #after}) takes every row its snapshot shows that it has not taken yet, in the order of
 * {@code seq}. What it may skip next time follows from the snapshot: every transaction below the
 * snapshot's oldest running one has ended, so its rows were all visible and taken. Hence:
 *
 * <ul>
 *   <li>no change is missed, also one whose transaction began before a later one's but committed after it;
 *   <li>a change that committed before another was written comes first: the later one's {@code seq}
 *       was drawn after the earlier committed (every change of one job is written after its row
 *       was locked by the change's update or insert), and a snapshot that shows the later one shows
 *       the earlier too. Changes of transactions that overlapped may come in either order, as no
 *       reader can tell which was first.
 * </ul>
 *
 * <p>After the commit ({@link #committed}) a {@code NOTIFY} on {@value #CHANNEL} wakes the readers
 * ({@link #listen}), sent apart from the writes ({@link FeedDoorbell}); a reader that missed one
 * catches up from the table. The dispatcher also sends progress as
 * notifications only ({@link #publish}), small JSON, never stored.
 *
 * <p>Every notification names the schema it is about (several ComfyGate databases, or test
 * schemas, may share one server); {@link Listener} keeps only its own schema's. Thread-safe.
 */
public final class JobFeed implements AutoCloseable {
  /** The notification channel. */
  public static final String CHANNEL = "comfygate_jobs";
  /** Change kinds besides the job states' wire names ({@code queued}, {@code running}, …). */
  public static final String HANDED_OVER = "handed_over";
  public static final String RETURNED = "returned";
  public static final String CANCEL_REQUESTED = "cancel_requested";
  /** Notification types. */
  public static final String CHANGED = "change";
  public static final String LEASE_RELEASED = "lease_released";
  public static final String PROGRESS = "progress";

  private static final ObjectMapper JSON = Json.newMapper();

  private final Database db;
  private final String origin;
  private final String schema;
  private final FeedDoorbell doorbell;

  /**
   * @param origin this instance's id, written with each change it makes
   * @throws IllegalArgumentException if {@code db} is not PostgreSQL
   */
  public JobFeed(Database db, String origin) {
    this.db = Objects.requireNonNull(db, "db");
    this.origin = Objects.requireNonNull(origin, "origin");
    if (!db.isPostgresql()) {
      throw new IllegalArgumentException("the job feed needs PostgreSQL; " + db.url() + " is SQLite");
    }
    this.schema = db.read("feed.schema", tx -> {
      try (PreparedStatement select = tx.prepareStatement("SELECT current_schema()");
          ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    });
    this.doorbell = new FeedDoorbell(db, payload(CHANGED, null));
  }

  /** One change of a job, as the feed recorded it. */
  public record Change(long seq, JobId jobId, String kind, String detail, String origin, Instant at) {}

  /** The id of the instance this feed writes for. */
  public String origin() {
    return origin;
  }

  /**
   * Appends a change inside the caller's write transaction, after the statement that changed the
   * job's row (so that changes of one job are numbered in the order they commit).
   */
  void append(Connection tx, JobId id, String kind, String detail) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement("INSERT INTO job_changes (job_id, kind, detail, origin, at)"
        + " VALUES (?, ?, ?, ?, " + ClusterStore.DB_NOW + ")")) {
      insert.setString(1, id.value());
      insert.setString(2, kind);
      Binds.setText(insert, 3, detail);
      insert.setString(4, origin);
      insert.executeUpdate();
    }
  }

  /**
   * The transaction that {@linkplain #append appended} changes committed: the other instances are
   * woken (once for many such calls in a row).
   */
  void committed() {
    doorbell.ring();
  }

  /** Records a request to cancel a job that runs on a backend, for the dispatcher to carry out. */
  public void requestCancel(JobId id) {
    db.inTransaction("feed.requestCancel", tx -> {
      append(tx, id, CANCEL_REQUESTED, null);
      return null;
    });
    committed();
  }

  /**
   * Where a reader stands: every change of a transaction below {@code horizon} was taken, and of
   * the later transactions' changes, those in {@code taken} (seq to tx). Immutable.
   */
  public record Cursor(long horizon, Map<Long, Long> taken) {
    public Cursor {
      taken = Map.copyOf(taken);
    }
  }

  /** What {@link #after} read: the changes, oldest first, and the cursor to read on from. */
  public record Batch(List<Change> changes, Cursor next, boolean full) {}

  /**
   * The changes committed after {@code cursor} was taken, in the order of {@code seq}, at most
   * {@code limit} ({@link Batch#full} when there may be more right away).
   */
  public Batch after(Cursor cursor, int limit) {
    return db.read("feed.after", tx -> {
      long horizon = horizon(tx); // first, so the snapshot is taken before anything is read
      List<Change> out = new ArrayList<>();
      Map<Long, Long> taken = new HashMap<>(cursor.taken());
      try (PreparedStatement select = tx.prepareStatement("SELECT seq, job_id, kind, detail, origin, at, tx::text"
          + " FROM job_changes WHERE tx >= ?::text::xid8 AND NOT (seq = ANY (?)) ORDER BY seq LIMIT ?")) {
        select.setString(1, Long.toString(cursor.horizon()));
        select.setArray(2, tx.createArrayOf("bigint", cursor.taken().keySet().toArray()));
        select.setInt(3, limit);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.add(new Change(rows.getLong("seq"), JobId.of(rows.getString("job_id")), rows.getString("kind"),
                rows.getString("detail"), rows.getString("origin"), getInstant(rows, "at")));
            taken.put(rows.getLong("seq"), Long.parseLong(rows.getString(7)));
          }
        }
      }
      boolean full = out.size() >= limit;
      if (full) {
        return new Batch(out, new Cursor(cursor.horizon(), taken), true); // the rest first, from the same horizon
      }
      taken.values().removeIf(t -> t < horizon);
      return new Batch(out, new Cursor(horizon, taken), false);
    });
  }

  /** A cursor that skips every change committed so far: a reader starting now follows from there. */
  public Cursor head() {
    return db.read("feed.head", tx -> {
      long horizon = horizon(tx);
      Map<Long, Long> taken = new HashMap<>();
      try (PreparedStatement select = tx.prepareStatement(
          "SELECT seq, tx::text FROM job_changes WHERE tx >= ?::text::xid8")) {
        select.setString(1, Long.toString(horizon));
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            taken.put(rows.getLong(1), Long.parseLong(rows.getString(2)));
          }
        }
      }
      return new Cursor(horizon, taken);
    });
  }

  /** The oldest transaction still running in this read's snapshot: every one below it has ended. */
  private static long horizon(Connection tx) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement("SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
        ResultSet rows = select.executeQuery()) {
      rows.next();
      return Long.parseLong(rows.getString(1));
    }
  }

  /** Jobs still queued or running for which a cancel was requested (what a new dispatcher must carry out). */
  public List<JobId> pendingCancelRequests() {
    return db.read("feed.pendingCancels", tx -> {
      try (PreparedStatement select = tx.prepareStatement("SELECT DISTINCT c.job_id FROM job_changes c"
          + " JOIN jobs j ON j.id = c.job_id WHERE c.kind = ? AND j.state IN ('queued', 'running')")) {
        select.setString(1, CANCEL_REQUESTED);
        List<JobId> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.add(JobId.of(rows.getString(1)));
          }
        }
        return out;
      }
    });
  }

  /** Removes changes older than {@code age} (by the database's clock); returns how many. */
  public int trim(Duration age) {
    return db.inTransaction("feed.trim", tx -> {
      try (PreparedStatement delete = tx.prepareStatement(
          "DELETE FROM job_changes WHERE at < " + ClusterStore.DB_NOW + " - ?")) {
        delete.setLong(1, age.toMillis());
        return delete.executeUpdate();
      }
    });
  }

  /**
   * Sends a notification of {@code type} with {@code body} (small JSON, under 7 kB) to every
   * instance listening on this schema; not stored.
   */
  public void publish(String type, ObjectNode body) {
    try {
      send(db, payload(type, body));
    } catch (SQLException e) {
      throw new io.comfygate.errors.StoreException("feed.publish", e.getMessage(), e);
    }
  }

  private String payload(String type, ObjectNode body) {
    ObjectNode out = body == null ? JSON.createObjectNode() : body.deepCopy();
    out.put("s", schema);
    out.put("t", type);
    out.put("o", origin);
    return out.toString();
  }

  /**
   * Sends {@code payload} on {@value #CHANNEL} as one statement in autocommit: one round trip, no
   * transaction to begin and end, and no write transaction held up (see {@link FeedDoorbell}).
   */
  static void send(Database db, String payload) throws SQLException {
    try (Connection connection = db.writeDataSource().getConnection();
        PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      connection.setAutoCommit(true);
      notify.setString(1, CHANNEL);
      notify.setString(2, payload);
      notify.execute();
    }
  }

  /**
   * Listens for this schema's notifications on a connection of its own (held until {@link
   * Listener#close}).
   *
   * @throws io.comfygate.errors.StoreException if no connection can be had
   */
  public Listener listen() {
    try {
      Connection connection = db.writeDataSource().getConnection();
      try {
        connection.setAutoCommit(true);
        try (Statement listen = connection.createStatement()) {
          listen.execute("LISTEN " + CHANNEL);
        }
        return new Listener(connection, connection.unwrap(PGConnection.class), schema);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    } catch (SQLException e) {
      throw new io.comfygate.errors.StoreException("feed.listen", e.getMessage(), e);
    }
  }

  /** Stops the thread that wakes the other instances. */
  @Override
  public void close() {
    doorbell.close();
  }

  /** A notification of this schema: its type, the instance that sent it, and its JSON. */
  public record Notice(String type, String origin, JsonNode body) {}

  /** A connection listening on {@value #CHANNEL}; one thread uses it. */
  public static final class Listener implements AutoCloseable {
    private final Connection connection;
    private final PGConnection pg;
    private final String schema;

    private Listener(Connection connection, PGConnection pg, String schema) {
      this.connection = connection;
      this.pg = pg;
      this.schema = schema;
    }

    /**
     * Waits up to {@code timeout} for notifications and returns those of this schema, in the order
     * they were sent (empty when none came).
     *
     * @throws SQLException if the connection broke (open a new listener)
     */
    public List<Notice> await(Duration timeout) throws SQLException {
      PGNotification[] got = pg.getNotifications((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      List<Notice> out = new ArrayList<>();
      if (got == null) {
        return out;
      }
      for (PGNotification n : got) {
        try {
          JsonNode body = JSON.readTree(n.getParameter());
          if (schema.equals(body.path("s").asText())) {
            out.add(new Notice(body.path("t").asText(), body.path("o").asText(), body));
          }
        } catch (java.io.IOException e) {
          // not one of ours: ignored
        }
      }
      return out;
    }

    @Override
    public void close() {
      try (Statement unlisten = connection.createStatement()) {
        unlisten.execute("UNLISTEN *"); // the pool hands the connection on
      } catch (SQLException e) {
        // broken: the pool drops it
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // the connection is gone either way
      }
    }
  }
}
