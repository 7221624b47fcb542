package io.comfygate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.store.ApiKeyStore;
import io.comfygate.store.SqliteStoreFile;
import io.comfygate.testkit.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ApiKeysTest {
  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();
  private ApiKeys keys;

  @BeforeEach
  void open() {
    keys = new ApiKeys(store.db().apiKeys(), Clock.systemUTC());
  }

  @Test
  void aKeyCarriesAWebhookSecretShownOnceAndAnEditableDefaultUrl() {
    IssuedKey issued = keys.issue("render-farm", "hooks", false, java.net.URI.create("https://hooks.example.com/a"));
    assertThat(issued.webhookSecret()).startsWith("whsec_").hasSize(70).isNotEqualTo(issued.secret());
    assertThat(issued.toString()).doesNotContain(issued.webhookSecret());
    assertThat(keys.find(issued.key().id()).orElseThrow().webhookUrl()).isEqualTo("https://hooks.example.com/a");

    assertThat(keys.setWebhookUrl(issued.key().id(), null).orElseThrow().webhookUrl()).isNull();
    assertThat(keys.setWebhookUrl("k-none", null)).isEmpty();
    assertThat(keys.rotateWebhookSecret(issued.key().id()).orElseThrow()).startsWith("whsec_")
        .isNotEqualTo(issued.webhookSecret());
    assertThat(keys.rotateWebhookSecret("k-none")).isEmpty();
  }

  @Test
  void anIssuedKeyAuthenticatesAsItsUserUntilRevoked() {
    IssuedKey issued = keys.issue("render-farm", "nightly batch", false);
    assertThat(issued.secret()).startsWith("cgk_").hasSize(47);
    assertThat(issued.toString()).doesNotContain(issued.secret());

    ApiKey key = keys.authenticate(issued.secret()).orElseThrow();
    assertThat(key.userId()).isEqualTo("render-farm");
    assertThat(key.admin()).isFalse();
    assertThat(keys.list()).singleElement().satisfies(k -> assertThat(k.lastUsedAt()).isNotNull());

    assertThat(keys.revoke(key.id())).isTrue();
    assertThat(keys.revoke(key.id())).isFalse();
    assertThat(keys.authenticate(issued.secret())).isEmpty();
    assertThat(keys.list().get(0).isRevoked()).isTrue();
  }

  @Test
  void onlyTheHashIsStored() throws Exception {
    IssuedKey issued = keys.issue("alice", "laptop", true);
    store.db().close();
    Path wal = Path.of(store.file() + "-wal");
    String file = new String(Files.readAllBytes(store.file()), java.nio.charset.StandardCharsets.ISO_8859_1)
        + (Files.exists(wal) ? new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
    assertThat(file).doesNotContain(issued.secret()).contains(ApiKeys.hash(issued.secret()));
    keys = new ApiKeys(store.reopen().apiKeys(), Clock.systemUTC());
    assertThat(keys.authenticate(issued.secret())).get().extracting(ApiKey::admin).isEqualTo(true);
  }

  @Test
  void wrongOrMalformedKeysDoNotAuthenticate() {
    IssuedKey issued = keys.issue("alice", "laptop", false);
    String tampered = issued.secret().substring(0, 46) + (issued.secret().endsWith("A") ? "B" : "A");
    assertThat(keys.authenticate(tampered)).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
    assertThat(keys.authenticate("cgk_' OR 1=1 --")).isEmpty();
  }

  @Test
  void blankUserOrNameIsRefusedNamingTheField() {
    assertThatThrownBy(() -> keys.issue(" ", "x", false)).hasMessageStartingWith("user_id");
    assertThatThrownBy(() -> keys.issue("alice", "", false)).hasMessageStartingWith("name");
    assertThat(keys.list()).isEmpty();
  }

  @Test
  void aVerifiedKeyIsReadOncePerPeriodAndARevocationElsewhereHoldsWithinIt() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T12:00:00Z"));
    CountingStore counted = new CountingStore(store.db().apiKeys());
    ApiKeys here = new ApiKeys(counted, clock);
    ApiKeys otherInstance = new ApiKeys(store.db().apiKeys(), clock);
    IssuedKey issued = here.issue("render-farm", "nightly batch", false);

    for (int i = 0; i < 50; i++) {
      assertThat(here.authenticate(issued.secret())).isPresent();
    }
    assertThat(counted.reads).isEqualTo(1);

    assertThat(otherInstance.revoke(issued.key().id())).isTrue();
    assertThat(otherInstance.authenticate(issued.secret())).isEmpty();
    clock.advance(ApiKeys.VERIFIED_FOR.minusMillis(1));
    assertThat(here.authenticate(issued.secret())).as("trusted until the period ends").isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(here.authenticate(issued.secret())).as("read again once it ends").isEmpty();
    assertThat(counted.reads).isEqualTo(2);
  }

  @Test
  void aClockSetBackDoesNotStretchTheTrust() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T12:00:00Z"));
    ApiKeys here = new ApiKeys(store.db().apiKeys(), clock);
    ApiKeys otherInstance = new ApiKeys(store.db().apiKeys(), clock);
    IssuedKey issued = here.issue("render-farm", "nightly batch", false);
    assertThat(here.authenticate(issued.secret())).isPresent();
    assertThat(otherInstance.revoke(issued.key().id())).isTrue();

    clock.set(Instant.parse("2026-12-07T11:00:00Z"));

    assertThat(here.authenticate(issued.secret())).isEmpty();
  }

  @Test
  void aRevocationHereHoldsAtOnceForAKeyVerifiedJustBefore() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T12:00:00Z"));
    ApiKeys here = new ApiKeys(store.db().apiKeys(), clock);
    IssuedKey kept = here.issue("alice", "kept", false);
    IssuedKey revoked = here.issue("alice", "revoked", false);
    assertThat(here.authenticate(kept.secret())).isPresent();
    assertThat(here.authenticate(revoked.secret())).isPresent();

    assertThat(here.revoke(revoked.key().id())).isTrue();

    assertThat(here.authenticate(revoked.secret())).isEmpty();
    assertThat(here.authenticate(kept.secret())).isPresent();
    assertThat(here.setWebhookUrl(kept.key().id(), java.net.URI.create("https://hooks.example.com/b"))).isPresent();
    assertThat(here.authenticate(kept.secret()).orElseThrow().webhookUrl()).isEqualTo("https://hooks.example.com/b");
  }

  @Test
  void lastUseIsStillRecordedToTheMinuteWhileTheKeyIsTrusted() {
    FakeClock clock = FakeClock.at(Instant.parse("2026-12-07T12:00:00Z"));
    CountingStore counted = new CountingStore(store.db().apiKeys());
    ApiKeys here = new ApiKeys(counted, clock);
    IssuedKey issued = here.issue("alice", "laptop", false);
    for (int second = 0; second < 150; second++) {
      here.authenticate(issued.secret()).orElseThrow();
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(counted.touches).as("at 0 s, 60 s and 120 s").isEqualTo(3);
    assertThat(here.find(issued.key().id()).orElseThrow().lastUsedAt()).isEqualTo(Instant.parse("2026-12-07T12:02:00Z"));
  }

  /** Counts the reads by hash and the touches that reach the store. */
  private static final class CountingStore implements ApiKeyStore {
    private final ApiKeyStore inner;
    int reads;
    int touches;

    CountingStore(ApiKeyStore inner) {
      this.inner = inner;
    }

    @Override
    public void insert(ApiKey key, String keyHash, String webhookSecret) {
      inner.insert(key, keyHash, webhookSecret);
    }

    @Override
    public Optional<ApiKey> find(String id) {
      return inner.find(id);
    }

    @Override
    public Optional<ApiKey> findByHash(String keyHash) {
      reads++;
      return inner.findByHash(keyHash);
    }

    @Override
    public List<ApiKey> list() {
      return inner.list();
    }

    @Override
    public boolean setWebhookUrl(String id, String webhookUrl) {
      return inner.setWebhookUrl(id, webhookUrl);
    }

    @Override
    public boolean setWebhookSecret(String id, String webhookSecret) {
      return inner.setWebhookSecret(id, webhookSecret);
    }

    @Override
    public boolean revoke(String id, Instant at) {
      return inner.revoke(id, at);
    }

    @Override
    public void touch(String id, Instant at) {
      touches++;
      inner.touch(id, at);
    }
  }
}
