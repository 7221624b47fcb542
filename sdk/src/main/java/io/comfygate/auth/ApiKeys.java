package io.comfygate.auth;

import io.comfygate.internal.ids.SortableIds;
import io.comfygate.store.jdbc.Database;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys for external systems: issued by an administrator for one user, presented as
 * {@code Authorization: Bearer <key>}, revocable. Keys are 256-bit random tokens prefixed
 * {@code cgk_}; only their SHA-256 hash is stored. Thread-safe.
 */
public final class ApiKeys {
  private static final String PREFIX = "cgk_";
  private static final Pattern SHAPE = Pattern.compile("cgk_[A-Za-z0-9_-]{43}");
  private static final Pattern USER = Pattern.compile("[^\\p{Cntrl}]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Clock clock;

  public ApiKeys(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Issues a key that acts as {@code userId}.
   *
   * @throws IllegalArgumentException if the user or name is blank or too long (names the field)
   */
  public IssuedKey issue(String userId, String name, boolean admin) {
    return issue(userId, name, admin, null);
  }

  /**
   * Issues a key that acts as {@code userId}, with a webhook signing secret and, if given, a default
   * webhook receiver for the jobs submitted with it.
   *
   * @param webhookUrl the default receiver (checked by the caller), or {@code null}
   * @throws IllegalArgumentException if the user or name is blank or too long (names the field)
   */
  public IssuedKey issue(String userId, String name, boolean admin, URI webhookUrl) {
    requireText(userId, "user_id", 128);
    requireText(name, "name", 200);
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String webhookSecret = newWebhookSecret();
    Instant now = clock.instant();
    String url = webhookUrl == null ? null : webhookUrl.toString();
    ApiKey key = new ApiKey(SortableIds.next('k', now), userId, name.strip(), admin, now, null, null, url);
    db.inTransaction("apikey.issue", c -> {
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO api_keys (id, key_hash, user_id, name, admin, created_at, webhook_url, webhook_secret)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
        insert.setString(1, key.id());
        insert.setString(2, hash(secret));
        insert.setString(3, key.userId());
        insert.setString(4, key.name());
        insert.setInt(5, admin ? 1 : 0);
        insert.setLong(6, now.toEpochMilli());
        insert.setString(7, url);
        insert.setString(8, webhookSecret);
        return insert.executeUpdate();
      }
    });
    return new IssuedKey(key, secret, webhookSecret);
  }

  /**
   * Sets or clears ({@code null}) the default webhook receiver of a key.
   *
   * @return the key as it is now, or empty if there is no such key
   */
  public Optional<ApiKey> setWebhookUrl(String id, URI webhookUrl) {
    boolean found = db.inTransaction("apikey.webhookUrl", c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE api_keys SET webhook_url = ? WHERE id = ?")) {
        update.setString(1, webhookUrl == null ? null : webhookUrl.toString());
        update.setString(2, id);
        return update.executeUpdate() == 1;
      }
    });
    return found ? find(id) : Optional.empty();
  }

  /**
   * Replaces a key's webhook signing secret (the old one stops working at once: pending events are
   * signed with the new one) and returns the new one, shown this once.
   *
   * @return the new secret, or empty if there is no such key
   */
  public Optional<String> rotateWebhookSecret(String id) {
    String fresh = newWebhookSecret();
    boolean found = db.inTransaction("apikey.rotateWebhookSecret", c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE api_keys SET webhook_secret = ? WHERE id = ?")) {
        update.setString(1, fresh);
        update.setString(2, id);
        return update.executeUpdate() == 1;
      }
    });
    return found ? Optional.of(fresh) : Optional.empty();
  }

  /** The key with this id, revoked or not. */
  public Optional<ApiKey> find(String id) {
    return db.read("apikey.find", c -> {
      try (PreparedStatement find = c.prepareStatement("SELECT * FROM api_keys WHERE id = ?")) {
        find.setString(1, id);
        try (ResultSet rows = find.executeQuery()) {
          return rows.next() ? Optional.of(map(rows)) : Optional.<ApiKey>empty();
        }
      }
    });
  }

  /** {@code whsec_} and 256 random bits in hex. */
  private static String newWebhookSecret() {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return "whsec_" + HexFormat.of().formatHex(random);
  }

  /** The key's record if {@code secret} is a valid, unrevoked key; records its use. */
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || !SHAPE.matcher(secret).matches()) {
      return Optional.empty();
    }
    String hash = hash(secret);
    Optional<ApiKey> key = db.read("apikey.authenticate", c -> {
      try (PreparedStatement find = c.prepareStatement("SELECT * FROM api_keys WHERE key_hash = ?")) {
        find.setString(1, hash);
        try (ResultSet rows = find.executeQuery()) {
          return rows.next() ? Optional.of(map(rows)) : Optional.<ApiKey>empty();
        }
      }
    });
    if (key.isEmpty() || key.get().isRevoked()) {
      return Optional.empty();
    }
    touch(key.get());
    return key;
  }

  /** Revokes a key by id. Returns false if there is no such key or it was revoked already. */
  public boolean revoke(String id) {
    long now = clock.instant().toEpochMilli();
    return db.inTransaction("apikey.revoke", c -> {
      try (PreparedStatement revoke = c.prepareStatement(
          "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        revoke.setLong(1, now);
        revoke.setString(2, id);
        return revoke.executeUpdate() == 1;
      }
    });
  }

  /** Every key, newest first (revoked ones included, marked). */
  public List<ApiKey> list() {
    return db.read("apikey.list", c -> {
      try (PreparedStatement all = c.prepareStatement("SELECT * FROM api_keys ORDER BY created_at DESC, id DESC");
           ResultSet rows = all.executeQuery()) {
        List<ApiKey> keys = new ArrayList<>();
        while (rows.next()) {
          keys.add(map(rows));
        }
        return keys;
      }
    });
  }

  /** Last use is kept to the minute: no write per request for a busy key. */
  private void touch(ApiKey key) {
    Instant now = clock.instant();
    if (key.lastUsedAt() != null && key.lastUsedAt().plusSeconds(60).isAfter(now)) {
      return;
    }
    db.inTransaction("apikey.touch", c -> {
      try (PreparedStatement touch = c.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        touch.setLong(1, now.toEpochMilli());
        touch.setString(2, key.id());
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

  private static void requireText(String value, String field, int max) {
    if (value == null || value.isBlank() || value.length() > max || !USER.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " must be 1-" + max + " printable characters");
    }
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

}
