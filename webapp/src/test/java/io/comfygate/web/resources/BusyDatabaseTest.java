package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.auth.ApiKeys;
import io.comfygate.config.Settings;
import io.comfygate.store.Stores;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database locked by another program for longer than the busy timeout: a request that must
 * write is a 503 "busy" with Retry-After (not a 500), and nothing is changed; once the lock is
 * gone the same request succeeds.
 */
class BusyDatabaseTest extends ResourceTestBase {
  private Stores keysDb;
  private Connection other;

  @Override
  protected ComfyApplication application(AppServices services) {
    keysDb = Stores.builder(dir.resolve("db/keys.db").toString()).busyTimeout(Duration.ofMillis(200)).build();
    return super.application(new AppServices(Settings.defaults(), services.engine(), new ApiKeys(keysDb.apiKeys(), Clock.systemUTC())));
  }

  @AfterEach
  void closeAll() throws Exception {
    if (other != null) {
      other.close();
    }
    keysDb.close();
  }

  private void lockByAnotherConnection() throws Exception {
    other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("db/keys.db"));
    try (Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
    }
  }

  @Test
  void aWriteWhileAnotherProgramHoldsTheLockIsA503BusyAndChangesNothing() throws Exception {
    String body = "{\"user_id\": \"alice\", \"name\": \"ci\"}";
    lockByAnotherConnection();
    Response busy = post(ADMIN, "v1/admin/api-keys", body);
    assertThat(busy.getHeaderString("Retry-After")).isEqualTo("2");
    JsonNode error = error(busy, 503, "busy");
    assertThat(error.path("message").asText()).contains("busy").contains("nothing was changed");

    try (Statement s = other.createStatement()) {
      s.execute("ROLLBACK");
    }
    assertThat(get(ADMIN, "v1/admin/api-keys").readEntity(JsonNode.class).path("items")).isEmpty();
    assertThat(post(ADMIN, "v1/admin/api-keys", body).getStatus()).isEqualTo(201);
  }
}
