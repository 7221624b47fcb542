package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.auth.ApiKeys;
import io.comfygate.auth.IssuedKey;
import io.comfygate.engine.JobEngine;
import io.comfygate.jobs.JobId;
import io.comfygate.webhooks.Webhooks;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Stores}, the exported way to open the database: its stores share it, its builder keeps the
 * database's rules, and the parts that take a {@code Stores} accept only the SDK's own.
 */
class StoresTest {
  @TempDir Path dir;

  @Test
  void itsStoresWorkOnTheOneDatabaseItOpened() {
    JobId id = JobId.generate(Clock.systemUTC());
    IssuedKey issued;
    try (Stores stores = Stores.builder(dir.resolve("db/app.db").toString()).busyTimeout(Duration.ofSeconds(2)).build()) {
      assertThat(stores.isPostgresql()).isFalse();
      assertThat(stores.url()).startsWith("jdbc:sqlite:").endsWith("app.db");
      stores.jobs().insert(StoredJob.queued(id, "alice", "txt2img", "{}", Instant.now()));
      issued = new ApiKeys(stores.apiKeys(), Clock.systemUTC()).issue("alice", "laptop", false);
      assertThat(stores.images().search(ImageQuery.all(), new PageRequest(1, 10)).items()).isEmpty();
    }
    try (Stores again = Stores.open(dir.resolve("db/app.db").toString())) {
      assertThat(again.jobs().find(id)).get().extracting(StoredJob::userId).isEqualTo("alice");
      assertThat(new ApiKeys(again.apiKeys(), Clock.systemUTC()).authenticate(issued.secret())).isPresent();
    }
  }

  @Test
  void itsBuilderRefusesWhatTheDatabaseRefuses() {
    Stores.Builder sqlite = Stores.builder(dir.resolve("x.db").toString());
    assertThatThrownBy(() -> sqlite.password("secret"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:");
    assertThatThrownBy(() -> sqlite.acquireTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acquireTimeout");
    assertThatThrownBy(() -> Stores.open("jdbc:postgresql://db.example/x?password=oops"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePartsThatTakeStoresRefuseAnotherImplementation() {
    Stores foreign = (Stores) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Stores.class},
        (proxy, method, args) -> {
          throw new AssertionError("not to be called: " + method.getName());
        });
    assertThatThrownBy(() -> JobEngine.builder().database(foreign))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Stores.open");
    assertThatThrownBy(() -> Webhooks.builder(foreign))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(foreign.getClass().getName());
  }
}
