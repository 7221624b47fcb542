package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.auth.ApiKey;
import io.comfygate.errors.StoreException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ApiKeyStore} must have. An implementation's test extends this class
 * and supplies a fresh, empty store for each test.
 */
public abstract class ApiKeyStoreContract {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The store under test: empty at the start of each test. */
  protected abstract ApiKeyStore apiKeyStore();

  private static ApiKey key(String id, String user, long second) {
    return new ApiKey(id, user, "key of " + user, false, T0.plusSeconds(second), null, null, null);
  }

  @Test
  void anInsertedKeyIsFoundByIdAndByHashWithEveryField() {
    ApiKey key = new ApiKey("k1", "alice", "render farm", true, T0, null, null, "https://hooks.example.com/a");
    apiKeyStore().insert(key, "hash-1", "whsec_1");

    assertThat(apiKeyStore().find("k1")).contains(key);
    assertThat(apiKeyStore().findByHash("hash-1")).contains(key);
    assertThat(apiKeyStore().find("k2")).isEmpty();
    assertThat(apiKeyStore().findByHash("hash-2")).isEmpty();
  }

  @Test
  void aSecondKeyWithTheSameIdOrHashIsRefused() {
    apiKeyStore().insert(key("k1", "alice", 0), "hash-1", "whsec_1");

    assertThatThrownBy(() -> apiKeyStore().insert(key("k1", "bob", 1), "hash-2", "whsec_2"))
        .isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> apiKeyStore().insert(key("k2", "bob", 1), "hash-1", "whsec_2"))
        .isInstanceOf(StoreException.class);
    assertThat(apiKeyStore().list()).extracting(ApiKey::userId).containsExactly("alice");
  }

  @Test
  void listIsNewestFirst() {
    apiKeyStore().insert(key("k1", "alice", 0), "h1", "s1");
    apiKeyStore().insert(key("k3", "carol", 2), "h3", "s3");
    apiKeyStore().insert(key("k2", "bob", 1), "h2", "s2");

    assertThat(apiKeyStore().list()).extracting(ApiKey::id).containsExactly("k3", "k2", "k1");
  }

  @Test
  void revokeOnceAndTouchAreRecorded() {
    apiKeyStore().insert(key("k1", "alice", 0), "h1", "s1");

    apiKeyStore().touch("k1", T0.plusSeconds(5));
    assertThat(apiKeyStore().revoke("k1", T0.plusSeconds(9))).isTrue();
    assertThat(apiKeyStore().revoke("k1", T0.plusSeconds(10))).as("a second time").isFalse();
    assertThat(apiKeyStore().revoke("nope", T0)).isFalse();

    ApiKey now = apiKeyStore().find("k1").orElseThrow();
    assertThat(now.lastUsedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(now.revokedAt()).isEqualTo(T0.plusSeconds(9));
    assertThat(now.isRevoked()).isTrue();
  }

  @Test
  void webhookUrlIsSetAndClearedAndUnknownKeysChangeNothing() {
    apiKeyStore().insert(key("k1", "alice", 0), "h1", "s1");

    assertThat(apiKeyStore().setWebhookUrl("k1", "https://hooks.example.com/x")).isTrue();
    assertThat(apiKeyStore().find("k1").orElseThrow().webhookUrl()).isEqualTo("https://hooks.example.com/x");
    assertThat(apiKeyStore().setWebhookUrl("k1", null)).isTrue();
    assertThat(apiKeyStore().find("k1").orElseThrow().webhookUrl()).isNull();
    assertThat(apiKeyStore().setWebhookUrl("nope", "https://hooks.example.com/y")).isFalse();
    assertThat(apiKeyStore().setWebhookSecret("k1", "whsec_new")).isTrue();
    assertThat(apiKeyStore().setWebhookSecret("nope", "whsec_new")).isFalse();
  }
}
