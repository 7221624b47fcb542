package io.comfygate.store.jdbc;

import static io.comfygate.store.jdbc.Binds.getInstant;

import io.comfygate.internal.ids.SortableIds;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ClaimedEvent;
import io.comfygate.store.ImageId;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WebhookStore;
import io.comfygate.webhooks.Delivery;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.WebhookTarget;
import java.net.URI;
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

/**
 * {@link WebhookStore} on a {@link Database}: the tables {@code job_webhooks} (where a job's events
 * go) and {@code webhook_events} (the outbox), and the keys' secrets and default URLs in {@code
 * api_keys}.
 *
 * <p>A claim is one write transaction, begun only when a plain read has found something to claim
 * (the deliverer asks after every job change): select the claimable heads, then mark them. On SQLite the
 * transaction runs alone ({@code BEGIN IMMEDIATE}). On PostgreSQL the select ends in {@code FOR
 * UPDATE SKIP LOCKED}: a second claimer passes over the rows the first one is marking, and a row
 * marked and committed meanwhile is checked again against the claim's conditions before it is
 * locked, so it drops out. Thread-safe; the caller owns and closes the database.
 */
public final class JdbcWebhookStore implements WebhookStore {
  private final Database db;

  public JdbcWebhookStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  // ------------------------------------------------------------------ inside a job's transaction

  @Override
  public void subscribe(Connection tx, JobId id, WebhookTarget target) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(
        "INSERT INTO job_webhooks (job_id, url, key_id) VALUES (?, ?, ?)")) {
      insert.setString(1, id.value());
      insert.setString(2, target.url().toString());
      insert.setString(3, target.keyId());
      insert.executeUpdate();
    }
  }

  @Override
  public boolean record(Connection tx, JobId id, JobState state, Instant at, Payloads payloads) throws SQLException {
    String url;
    String keyId;
    try (PreparedStatement select = tx.prepareStatement("SELECT url, key_id FROM job_webhooks WHERE job_id = ?")) {
      select.setString(1, id.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return false;
        }
        url = row.getString("url");
        keyId = row.getString("key_id");
      }
    }
    String eventId = SortableIds.next('e', at);
    String type = "job." + state.wireName();
    try (PreparedStatement insert = tx.prepareStatement("""
        INSERT INTO webhook_events (event_id, job_id, type, url, key_id, payload, state, attempts,
                                    next_attempt_at, created_at, retry_from)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)""")) {
      insert.setString(1, eventId);
      insert.setString(2, id.value());
      insert.setString(3, type);
      insert.setString(4, url);
      insert.setString(5, keyId);
      insert.setString(6, payloads.render(eventId, type, at, job(tx, id), images(tx, id)));
      insert.setLong(7, at.toEpochMilli());
      insert.setLong(8, at.toEpochMilli());
      insert.setLong(9, at.toEpochMilli());
      insert.executeUpdate();
    }
    return true;
  }

  /** The job as the change being recorded left it. */
  private static StoredJob job(Connection tx, JobId id) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement("SELECT * FROM jobs WHERE id = ?")) {
      select.setString(1, id.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new SQLException("job " + id + " vanished inside its own transaction");
        }
        return JdbcJobStore.map(row);
      }
    }
  }

  private static List<ImageId> images(Connection tx, JobId id) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(
        "SELECT id FROM images WHERE job_id = ? AND deleted_at IS NULL ORDER BY id")) {
      select.setString(1, id.value());
      List<ImageId> out = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          out.add(ImageId.of(rows.getString("id")));
        }
      }
      return out;
    }
  }

  // ----------------------------------------------------------------------------- deliverers

  @Override
  public List<ClaimedEvent> claimDue(String owner, Instant now, Duration lease, int limit) {
    requireOwner(owner);
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be > 0: " + lease);
    }
    if (limit < 1) {
      return List.of();
    }
    // The deliverer asks after every job change: a plain read answers "nothing" without taking
    // SQLite's single write connection from the job writers.
    if (db.read("webhook.due", c -> heads(c, now, 1, "")).isEmpty()) {
      return List.of();
    }
    return db.inTransaction("webhook.claim", c -> {
      List<ClaimedEvent> claimed = heads(c, now, limit, db.dialect().skipLockedRows());
      if (!claimed.isEmpty()) {
        try (PreparedStatement mark = c.prepareStatement(
            "UPDATE webhook_events SET claimed_by = ?, claimed_until = ? WHERE seq = ?")) {
          for (ClaimedEvent event : claimed) {
            mark.setString(1, owner);
            mark.setLong(2, now.plus(lease).toEpochMilli());
            mark.setLong(3, event.seq());
            mark.addBatch();
          }
          mark.executeBatch();
        }
      }
      return claimed;
    });
  }

  /**
   * The claimable heads: the oldest pending event of each job, due, not claimed, of a job none of
   * whose events is claimed (a redelivered older event may become the head while a later one is
   * in flight), earliest due first.
   */
  private static List<ClaimedEvent> heads(Connection c, Instant now, int limit, String locking) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("""
        SELECT e.seq, e.event_id, e.job_id, e.type, e.url, e.key_id, e.payload, e.attempts, e.retry_from
          FROM webhook_events e
         WHERE e.state = 'pending'
           AND e.next_attempt_at <= ?
           AND (e.claimed_until IS NULL OR e.claimed_until <= ?)
           AND e.seq = (SELECT MIN(p.seq) FROM webhook_events p WHERE p.state = 'pending' AND p.job_id = e.job_id)
           AND NOT EXISTS (SELECT 1 FROM webhook_events c WHERE c.job_id = e.job_id AND c.claimed_until > ?)
         ORDER BY e.next_attempt_at, e.seq
         LIMIT ?""" + locking)) {
      select.setLong(1, now.toEpochMilli());
      select.setLong(2, now.toEpochMilli());
      select.setLong(3, now.toEpochMilli());
      select.setInt(4, limit);
      List<ClaimedEvent> out = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          out.add(new ClaimedEvent(rows.getLong("seq"), rows.getString("event_id"), rows.getString("job_id"),
              rows.getString("type"), URI.create(rows.getString("url")), rows.getString("key_id"),
              rows.getString("payload"), rows.getInt("attempts"), Instant.ofEpochMilli(rows.getLong("retry_from"))));
        }
      }
      return out;
    }
  }

  @Override
  public boolean attempted(long seq, String owner, DeliveryState state, int attempts, Integer status, String error,
      Instant at, Instant next) {
    requireOwner(owner);
    return db.inTransaction("webhook.attempted", c -> {
      try (PreparedStatement update = c.prepareStatement("""
          UPDATE webhook_events
             SET state = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?,
                 claimed_by = NULL, claimed_until = NULL
           WHERE seq = ? AND state = 'pending' AND claimed_by = ?""")) {
        update.setString(1, state.wireName());
        update.setInt(2, attempts);
        if (status == null) {
          update.setNull(3, java.sql.Types.INTEGER);
        } else {
          update.setInt(3, status);
        }
        Binds.setText(update, 4, error);
        update.setLong(5, (state == DeliveryState.PENDING ? next : at).toEpochMilli());
        Binds.setInstant(update, 6, state == DeliveryState.DELIVERED ? at : null);
        update.setLong(7, seq);
        update.setString(8, owner);
        return update.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean release(long seq, String owner) {
    requireOwner(owner);
    return unclaim("webhook.release", "seq = ? AND claimed_by = ?", List.of(seq, owner)) == 1;
  }

  @Override
  public int releaseAll(String owner) {
    requireOwner(owner);
    return unclaim("webhook.releaseAll", "claimed_by = ?", List.of(owner));
  }

  private int unclaim(String operation, String where, List<?> binds) {
    return db.inTransaction(operation, c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE webhook_events SET claimed_by = NULL, claimed_until = NULL WHERE " + where)) {
        Binds.bindAll(update, binds);
        return update.executeUpdate();
      }
    });
  }

  private static void requireOwner(String owner) {
    if (owner == null || owner.isBlank()) {
      throw new IllegalArgumentException("owner must not be blank: " + owner);
    }
  }

  @Override
  public Optional<Instant> nextDue(Instant now) {
    return db.read("webhook.next", c -> {
      try (PreparedStatement select = c.prepareStatement("""
          SELECT MIN(CASE WHEN claimed_until > ? THEN claimed_until ELSE next_attempt_at END)
            FROM webhook_events WHERE state = 'pending'""")) {
        select.setLong(1, now.toEpochMilli());
        try (ResultSet row = select.executeQuery()) {
          row.next();
          long millis = row.getLong(1);
          return row.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(millis));
        }
      }
    });
  }

  @Override
  public Optional<String> signingSecret(String keyId) {
    return text("webhook.secret", "SELECT webhook_secret FROM api_keys WHERE id = ? AND revoked_at IS NULL", keyId);
  }

  @Override
  public Optional<URI> defaultUrl(String keyId) {
    return text("webhook.defaultUrl", "SELECT webhook_url FROM api_keys WHERE id = ?", keyId).map(URI::create);
  }

  private Optional<String> text(String operation, String sql, String key) {
    return db.read(operation, c -> {
      try (PreparedStatement select = c.prepareStatement(sql)) {
        select.setString(1, key);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  // ----------------------------------------------------------------------------------- admin

  @Override
  public Page<Delivery> page(DeliveryState state, String jobId, PageRequest page) {
    Objects.requireNonNull(page, "page");
    ListSql sql = ListSql.of(state, jobId);
    return db.read("webhook.page", c -> {
      long total;
      try (PreparedStatement count = c.prepareStatement(sql.count())) {
        sql.bind(count);
        total = Binds.count(count);
      }
      try (PreparedStatement select = c.prepareStatement(sql.page())) {
        int next = sql.bind(select);
        select.setInt(next, page.size());
        select.setLong(next + 1, page.offset());
        List<Delivery> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.add(map(rows));
          }
        }
        return new Page<>(out, page.page(), page.size(), total);
      }
    });
  }

  /**
   * The admin list's count and page statements for one filter: a statement per filter shape (rather
   * than {@code ? IS NULL OR …}) so that SQLite serves each from the index made for it, newest first
   * without a sort. The page statement takes two more binds after {@code binds}: size and offset.
   */
  record ListSql(String count, String page, List<String> binds) {
    static ListSql of(DeliveryState state, String jobId) {
      List<String> conditions = new ArrayList<>();
      List<String> binds = new ArrayList<>();
      if (state != null) {
        conditions.add("state = ?");
        binds.add(state.wireName());
      }
      if (jobId != null) {
        conditions.add("job_id = ?");
        binds.add(jobId);
      }
      String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
      return new ListSql("SELECT COUNT(*) FROM webhook_events" + where,
          "SELECT * FROM webhook_events" + where + " ORDER BY seq DESC LIMIT ? OFFSET ?", List.copyOf(binds));
    }

    /** Binds the filter values from index 1; returns the next free index. */
    int bind(PreparedStatement statement) throws SQLException {
      Binds.bindAll(statement, binds);
      return binds.size() + 1;
    }
  }

  @Override
  public Optional<Delivery> find(String eventId) {
    return db.read("webhook.find", c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT * FROM webhook_events WHERE event_id = ?")) {
        select.setString(1, eventId);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(map(row)) : Optional.<Delivery>empty();
        }
      }
    });
  }

  @Override
  public boolean redeliver(String eventId, Instant now) {
    return db.inTransaction("webhook.redeliver", c -> {
      try (PreparedStatement update = c.prepareStatement("""
          UPDATE webhook_events
             SET state = 'pending', attempts = 0, next_attempt_at = ?, retry_from = ?, delivered_at = NULL,
                 last_status = NULL, last_error = NULL, claimed_by = NULL, claimed_until = NULL
           WHERE event_id = ? AND state <> 'pending'""")) {
        update.setLong(1, now.toEpochMilli());
        update.setLong(2, now.toEpochMilli());
        update.setString(3, eventId);
        return update.executeUpdate() == 1;
      }
    });
  }

  private static Delivery map(ResultSet rows) throws SQLException {
    DeliveryState state = DeliveryState.fromWireName(rows.getString("state"));
    int status = rows.getInt("last_status");
    Integer lastStatus = rows.wasNull() ? null : status;
    return new Delivery(rows.getString("event_id"), rows.getString("job_id"), rows.getString("type"),
        rows.getString("url"), state, rows.getInt("attempts"), lastStatus, rows.getString("last_error"),
        state == DeliveryState.PENDING ? Instant.ofEpochMilli(rows.getLong("next_attempt_at")) : null,
        Instant.ofEpochMilli(rows.getLong("created_at")), getInstant(rows, "delivered_at"));
  }
}
