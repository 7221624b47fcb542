package io.comfygate.auth;

import io.comfygate.internal.ids.SortableIds;
import io.comfygate.store.ApiKeyStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * API keys for external systems: issued by an administrator for one user, presented as
 * {@code Authorization: Bearer <key>}, revocable. Keys are 256-bit random tokens prefixed
 * {@code cgk_}; only their SHA-256 hash is stored. Thread-safe.
 *
 * <p>A key that authenticated is trusted for {@link #VERIFIED_FOR} without reading its row again
 * (one read per key and period, not per request). A revocation through this object takes effect at
 * once for every key it has verified; one made by another instance sharing the database (or
 * written to the database directly) takes effect here within {@link #VERIFIED_FOR}.
 */
public final class ApiKeys {
  private static final String PREFIX = "cgk_";
  private static final Pattern SHAPE = Pattern.compile("cgk_[A-Za-z0-9_-]{43}");
  private static final Pattern USER = Pattern.compile("[^\\p{Cntrl}]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a verified key is trusted before its row is read again. */
  public static final Duration VERIFIED_FOR = Duration.ofSeconds(5);

  private final ApiKeyStore store;
  private final Clock clock;
  /** Keys verified lately, by hash; valid while unexpired and no change came after them. */
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();
  /** Counts this object's changes of keys (revocations, URLs): one makes every earlier verification stale. */
  private final AtomicLong changes = new AtomicLong();

  /** A key's row as read at {@code at}, after {@code change} changes. */
  private record Verified(ApiKey key, long change, Instant at) {
    /** Within the period after the read (a clock set back does not stretch it). */
    boolean trustedAt(Instant now) {
      return !now.isBefore(at) && now.isBefore(at.plus(VERIFIED_FOR));
    }
  }

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
    forgetVerified(); // authenticate returns the key's record: with its new URL from now on
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

  /**
   * The key's record if {@code secret} is a valid, unrevoked key; records its use. The row is read
   * again at most every {@link #VERIFIED_FOR} per key, and at once after a {@link #revoke}.
   */
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || !SHAPE.matcher(secret).matches()) {
      return Optional.empty();
    }
    String hash = hash(secret);
    Instant now = clock.instant();
    long change = changes.get();
    Verified known = verified.get(hash);
    if (known == null || known.change != change || !known.trustedAt(now)) {
      Optional<ApiKey> key = store.findByHash(hash);
      if (key.isEmpty() || key.get().isRevoked()) {
        verified.remove(hash);
        return Optional.empty();
      }
      known = new Verified(key.get(), change, now);
      verified.put(hash, known);
    }
    return Optional.of(touch(hash, known, now));
  }

  /**
   * Revokes a key by id. Returns false if there is no such key or it was revoked already. Requests
   * that reach this object after it returns are refused.
   */
  public boolean revoke(String id) {
    boolean revoked = store.revoke(id, clock.instant());
    forgetVerified();
    return revoked;
  }

  /** After a change is committed: no key read before it is trusted again. */
  private void forgetVerified() {
    changes.incrementAndGet(); // a read that started before the change is not stored as valid
    verified.clear();
  }

  /** Every key, newest first (revoked ones included, marked). */
  public List<ApiKey> list() {
    return store.list();
  }

  /** Last use is kept to the minute: no write per request for a busy key. */
  private ApiKey touch(String hash, Verified known, Instant now) {
    ApiKey key = known.key;
    if (key.lastUsedAt() != null && key.lastUsedAt().plusSeconds(60).isAfter(now)) {
      return key;
    }
    store.touch(key.id(), now);
    ApiKey used = new ApiKey(key.id(), key.userId(), key.name(), key.admin(), key.createdAt(), key.revokedAt(), now,
        key.webhookUrl());
    verified.replace(hash, known, new Verified(used, known.change, known.at));
    return used;
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
