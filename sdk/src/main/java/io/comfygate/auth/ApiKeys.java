package io.comfygate.auth;

import io.comfygate.internal.ids.SortableIds;
import io.comfygate.store.ApiKeyStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
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

  private final ApiKeyStore store;
  private final Clock clock;

  /** @param store where keys are recorded (the caller owns its database) */
  public ApiKeys(ApiKeyStore store, Clock clock) {
    this.store = java.util.Objects.requireNonNull(store, "store");
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
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
    store.insert(key, hash(secret), webhookSecret);
    return new IssuedKey(key, secret, webhookSecret);
  }

  /**
   * Sets or clears ({@code null}) the default webhook receiver of a key.
   *
   * @return the key as it is now, or empty if there is no such key
   */
  public Optional<ApiKey> setWebhookUrl(String id, URI webhookUrl) {
    boolean found = store.setWebhookUrl(id, webhookUrl == null ? null : webhookUrl.toString());
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
    boolean found = store.setWebhookSecret(id, fresh);
    return found ? Optional.of(fresh) : Optional.empty();
  }

  /** The key with this id, revoked or not. */
  public Optional<ApiKey> find(String id) {
    return store.find(id);
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
    Optional<ApiKey> key = store.findByHash(hash);
    if (key.isEmpty() || key.get().isRevoked()) {
      return Optional.empty();
    }
    touch(key.get());
    return key;
  }

  /** Revokes a key by id. Returns false if there is no such key or it was revoked already. */
  public boolean revoke(String id) {
    return store.revoke(id, clock.instant());
  }

  /** Every key, newest first (revoked ones included, marked). */
  public List<ApiKey> list() {
    return store.list();
  }

  /** Last use is kept to the minute: no write per request for a busy key. */
  private void touch(ApiKey key) {
    Instant now = clock.instant();
    if (key.lastUsedAt() != null && key.lastUsedAt().plusSeconds(60).isAfter(now)) {
      return;
    }
    store.touch(key.id(), now);
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
