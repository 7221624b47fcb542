package io.comfygate.store;

import io.comfygate.auth.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable record of API keys: only each key's hash is kept, with its webhook signing secret (see
 * {@link io.comfygate.auth.ApiKeys} for the rules). Thread-safe; every write commits before it
 * returns; instants are kept to the millisecond. Every method throws {@link
 * io.comfygate.errors.StoreException} when the database fails. Every implementation must pass
 * {@code ApiKeyStoreContract} (in the sdk test-jar).
 */
public interface ApiKeyStore {

  /**
   * Records a new key.
   *
   * @param keyHash the hash the key is found by ({@link #findByHash})
   * @throws io.comfygate.errors.StoreException if one with the same id or hash exists
   */
  void insert(ApiKey key, String keyHash, String webhookSecret);

  /** The key with this id, revoked or not. */
  Optional<ApiKey> find(String id);

  /** The key with this hash, revoked or not. */
  Optional<ApiKey> findByHash(String keyHash);

  /** Every key, newest first (by creation time, then id). */
  List<ApiKey> list();

  /** Sets or clears ({@code null}) a key's default webhook receiver; false if there is no such key. */
  boolean setWebhookUrl(String id, String webhookUrl);

  /** Replaces a key's webhook signing secret; false if there is no such key. */
  boolean setWebhookSecret(String id, String webhookSecret);

  /** Marks a key revoked at {@code at}; false if there is no such key or it was revoked already. */
  boolean revoke(String id, Instant at);

  /** Records that the key authenticated a request at {@code at}. */
  void touch(String id, Instant at);
}
