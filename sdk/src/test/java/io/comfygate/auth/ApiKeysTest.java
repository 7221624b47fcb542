package io.comfygate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.store.SqliteStoreFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
}
