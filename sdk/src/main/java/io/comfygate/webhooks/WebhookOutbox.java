package io.comfygate.webhooks;

import io.comfygate.internal.ids.SortableIds;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.jdbc.Database;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The webhook tables: subscriptions of jobs, the event outbox, and the keys' secrets and default URLs. */
final class WebhookOutbox {
  private final Database db;
  private final JobPayloads payloads;

  WebhookOutbox(Database db, JobPayloads payloads) {
    this.db = db;
    this.payloads = payloads;
  }

  /** An event to send: the head of its job's pending events. */
  record Pending(long seq, String eventId, String jobId, String type, URI url, String keyId, String payload,
      int attempts, Instant retryFrom) {}

  // ------------------------------------------------------------------ inside a job's transaction

  void subscribe(Connection tx, JobId id, WebhookTarget target) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(
        "INSERT INTO job_webhooks (job_id, url, key_id) VALUES (?, ?, ?)")) {
      insert.setString(1, id.value());
      insert.setString(2, target.url().toString());
      insert.setString(3, target.keyId());
      insert.executeUpdate();
    }
  }

  /** Writes the event of this change if the job has a webhook; does nothing otherwise. */
  void record(Connection tx, JobId id, JobState state, Instant at) throws SQLException {
    String url;
    String keyId;
    try (PreparedStatement select = tx.prepareStatement("SELECT url, key_id FROM job_webhooks WHERE job_id = ?")) {
      select.setString(1, id.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return;
        }
        url = row.getString("url");
        keyId = row.getString("key_id");
      }
    }
    String eventId = SortableIds.next('e', at);
    try (PreparedStatement insert = tx.prepareStatement("""
        INSERT INTO webhook_events (event_id, job_id, type, url, key_id, payload, state, attempts,
                                    next_attempt_at, created_at, retry_from)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)""")) {
      insert.setString(1, eventId);
      insert.setString(2, id.value());
      insert.setString(3, JobPayloads.type(state.wireName()));
      insert.setString(4, url);
      insert.setString(5, keyId);
      insert.setString(6, payloads.render(tx, id, eventId, state.wireName(), at));
      insert.setLong(7, at.toEpochMilli());
      insert.setLong(8, at.toEpochMilli());
      insert.setLong(9, at.toEpochMilli());
      insert.executeUpdate();
    }
  }

  // ----------------------------------------------------------------------------- the deliverer

  /** Up to {@code limit} events due at {@code now}, each the oldest pending event of its job. */
  List<Pending> due(Instant now, int limit) {
    return db.read("webhook.due", c -> {
      try (PreparedStatement select = c.prepareStatement("""
          SELECT e.* FROM webhook_events e
           WHERE e.state = 'pending'
             AND e.seq = (SELECT MIN(p.seq) FROM webhook_events p WHERE p.state = 'pending' AND p.job_id = e.job_id)
             AND e.next_attempt_at <= ?
           ORDER BY e.next_attempt_at, e.seq
           LIMIT ?""")) {
        select.setLong(1, now.toEpochMilli());
        select.setInt(2, limit);
        List<Pending> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            out.add(new Pending(rows.getLong("seq"), rows.getString("event_id"), rows.getString("job_id"),
                rows.getString("type"), URI.create(rows.getString("url")), rows.getString("key_id"),
                rows.getString("payload"), rows.getInt("attempts"), Instant.ofEpochMilli(rows.getLong("retry_from"))));
          }
        }
        return out;
      }
    });
  }

  /** When the earliest pending event is due, if any is pending. */
  Optional<Instant> nextDue() {
    return db.read("webhook.next", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT MIN(next_attempt_at) FROM webhook_events WHERE state = 'pending'");
           ResultSet row = select.executeQuery()) {
        row.next();
        long millis = row.getLong(1);
        return row.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(millis));
      }
    });
  }

  /**
   * Records an attempt's outcome.
   *
   * @param state the new state (pending again for a retry)
   * @param status the HTTP status, or null when there was no answer
   * @param next the next attempt (pending), else ignored
   */
  void attempted(long seq, DeliveryState state, int attempts, Integer status, String error, Instant at, Instant next) {
    db.inTransaction("webhook.attempted", c -> {
      try (PreparedStatement update = c.prepareStatement("""
          UPDATE webhook_events
             SET state = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?
           WHERE seq = ? AND state = 'pending'""")) {
        update.setString(1, state.wireName());
        update.setInt(2, attempts);
        if (status == null) {
          update.setNull(3, Types.INTEGER);
        } else {
          update.setInt(3, status);
        }
        update.setString(4, error);
        update.setLong(5, (state == DeliveryState.PENDING ? next : at).toEpochMilli());
        if (state == DeliveryState.DELIVERED) {
          update.setLong(6, at.toEpochMilli());
        } else {
          update.setNull(6, Types.BIGINT);
        }
        update.setLong(7, seq);
        return update.executeUpdate();
      }
    });
  }

  /** The signing secret of a key that is not revoked. */
  Optional<String> secret(String keyId) {
    return db.read("webhook.secret", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT webhook_secret FROM api_keys WHERE id = ? AND revoked_at IS NULL")) {
        select.setString(1, keyId);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** The default receiver of a key, if it has one. */
  Optional<URI> defaultUrl(String keyId) {
    return db.read("webhook.defaultUrl", c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT webhook_url FROM api_keys WHERE id = ?")) {
        select.setString(1, keyId);
        try (ResultSet row = select.executeQuery()) {
          String url = row.next() ? row.getString(1) : null;
          return url == null ? Optional.<URI>empty() : Optional.of(URI.create(url));
        }
      }
    });
  }

  // ----------------------------------------------------------------------------- admin

  /**
   * One page of events, newest first (by {@code seq}, which no two events share, so the order is
   * stable however many events have the same time), and how many match: both read in one
   * transaction, so the total and the page agree.
   */
  Page<Delivery> page(DeliveryState state, String jobId, PageRequest page) {
    ListSql sql = ListSql.of(state, jobId);
    return db.read("webhook.page", c -> {
      long total;
      try (PreparedStatement count = c.prepareStatement(sql.count())) {
        sql.bind(count);
        try (ResultSet row = count.executeQuery()) {
          row.next();
          total = row.getLong(1);
        }
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
      for (int i = 0; i < binds.size(); i++) {
        statement.setString(i + 1, binds.get(i));
      }
      return binds.size() + 1;
    }
  }

  /**
   * Makes a delivered or failed event pending again, due now, with a fresh attempt budget and retry
   * window and no outcome yet (the old one would read as this round's). It keeps the time it happened.
   */
  boolean redeliver(String eventId, Instant now) {
    return db.inTransaction("webhook.redeliver", c -> {
      try (PreparedStatement update = c.prepareStatement("""
          UPDATE webhook_events
             SET state = 'pending', attempts = 0, next_attempt_at = ?, retry_from = ?, delivered_at = NULL,
                 last_status = NULL, last_error = NULL
           WHERE event_id = ? AND state <> 'pending'""")) {
        update.setLong(1, now.toEpochMilli());
        update.setLong(2, now.toEpochMilli());
        update.setString(3, eventId);
        return update.executeUpdate() == 1;
      }
    });
  }

  Optional<Delivery> find(String eventId) {
    return db.read("webhook.find", c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT * FROM webhook_events WHERE event_id = ?")) {
        select.setString(1, eventId);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(map(row)) : Optional.<Delivery>empty();
        }
      }
    });
  }

  private static Delivery map(ResultSet rows) throws SQLException {
    DeliveryState state = DeliveryState.fromWireName(rows.getString("state"));
    int status = rows.getInt("last_status");
    Integer lastStatus = rows.wasNull() ? null : status;
    long delivered = rows.getLong("delivered_at");
    Instant deliveredAt = rows.wasNull() ? null : Instant.ofEpochMilli(delivered);
    return new Delivery(rows.getString("event_id"), rows.getString("job_id"), rows.getString("type"),
        rows.getString("url"), state, rows.getInt("attempts"), lastStatus, rows.getString("last_error"),
        state == DeliveryState.PENDING ? Instant.ofEpochMilli(rows.getLong("next_attempt_at")) : null,
        Instant.ofEpochMilli(rows.getLong("created_at")), deliveredAt);
  }
}
