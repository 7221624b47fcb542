package io.comfygate.store.jdbc;

import io.comfygate.auth.ApiKey;
import io.comfygate.store.ApiKeyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ApiKeyStore} on a {@link Database}, made by {@link Database#apiKeys()}. Thread-safe; the
 * caller owns and closes the database.
 */
final class JdbcApiKeyStore implements ApiKeyStore {
  private static final String COLUMNS = "id, user_id, name, admin, created_at, revoked_at, last_used_at, webhook_url";

  private final Database db;

  JdbcApiKeyStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public void insert(ApiKey key, String keyHash, String webhookSecret) {
    db.inTransaction("apikey.issue", c -> {
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO api_keys (id, key_hash, user_id, name, admin, created_at, webhook_url, webhook_secret)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
        insert.setString(1, key.id());
        insert.setString(2, keyHash);
        insert.setString(3, key.userId());
        insert.setString(4, key.name());
        insert.setInt(5, key.admin() ? 1 : 0);
        insert.setLong(6, key.createdAt().toEpochMilli());
        insert.setString(7, key.webhookUrl());
        insert.setString(8, webhookSecret);
        return insert.executeUpdate();
      }
    });
  }

  @Override
  public Optional<ApiKey> find(String id) {
    return findOne("apikey.find", "SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", id);
  }

  @Override
  public Optional<ApiKey> findByHash(String keyHash) {
    return findOne("apikey.authenticate", "SELECT " + COLUMNS + " FROM api_keys WHERE key_hash = ?", keyHash);
  }

  private Optional<ApiKey> findOne(String operation, String sql, String value) {
    return db.read(operation, c -> {
      try (PreparedStatement find = c.prepareStatement(sql)) {
        find.setString(1, value);
        try (ResultSet rows = find.executeQuery()) {
          return rows.next() ? Optional.of(map(rows)) : Optional.<ApiKey>empty();
        }
      }
    });
  }

  @Override
  public List<ApiKey> list() {
    return db.read("apikey.list", c -> {
      try (PreparedStatement all = c.prepareStatement(
          "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at DESC, id DESC");
           ResultSet rows = all.executeQuery()) {
        List<ApiKey> keys = new ArrayList<>();
        while (rows.next()) {
          keys.add(map(rows));
        }
        return keys;
      }
    });
  }

  @Override
  public boolean setWebhookUrl(String id, String webhookUrl) {
    return update("apikey.webhookUrl", "UPDATE api_keys SET webhook_url = ? WHERE id = ?", webhookUrl, id);
  }

  @Override
  public boolean setWebhookSecret(String id, String webhookSecret) {
    return update("apikey.rotateWebhookSecret", "UPDATE api_keys SET webhook_secret = ? WHERE id = ?", webhookSecret, id);
  }

  private boolean update(String operation, String sql, String value, String id) {
    return db.inTransaction(operation, c -> {
      try (PreparedStatement update = c.prepareStatement(sql)) {
        update.setString(1, value);
        update.setString(2, id);
        return update.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean revoke(String id, Instant at) {
    return db.inTransaction("apikey.revoke", c -> {
      try (PreparedStatement revoke = c.prepareStatement(
          "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        revoke.setLong(1, at.toEpochMilli());
        revoke.setString(2, id);
        return revoke.executeUpdate() == 1;
      }
    });
  }

  @Override
  public void touch(String id, Instant at) {
    db.inTransaction("apikey.touch", c -> {
      try (PreparedStatement touch = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        touch.setLong(1, at.toEpochMilli());
        touch.setString(2, id);
        return touch.executeUpdate();
      }
    });
  }

  private static ApiKey map(ResultSet rows) throws SQLException {
    return new ApiKey(rows.getString("id"), rows.getString("user_id"), rows.getString("name"), rows.getInt("admin") == 1,
        Instant.ofEpochMilli(rows.getLong("created_at")), instant(rows, "revoked_at"), instant(rows, "last_used_at"),
        rows.getString("webhook_url"));
  }

  private static Instant instant(ResultSet rows, String column) throws SQLException {
    long v = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(v);
  }
}
