package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.auth.ApiKeys;
import io.comfygate.config.Settings;
import io.comfygate.engine.JobEngine;
import io.comfygate.jobs.JobId;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.Stores;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API in memory ({@link ComfyApplication} as deployed) on real services: a
 * {@link JobEngine} on a SQLite file in a temporary folder, driving a FakeComfyUi over real HTTP,
 * and real {@link ApiKeys}. One fake and one engine per test class; each test uses its own user
 * names so tests do not see each other's jobs. Callers are named with {@link TestIdentityFilter}'s
 * header, since the servlet AuthFilter does not run in memory.
 */
abstract class ResourceTestBase extends JerseyTest {
  static final String ALICE = "alice;user";
  static final String ADMIN = "root;admin,user";
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Per-user limits of the engine under test: 2 waiting, 1 running. */
  static final QuotaPolicy QUOTA = new QuotaPolicy(2, 1);

  @TempDir static Path dir;
  static FakeComfyUi comfy;
  static Stores database;
  static JobEngine engine;
  static ApiKeys apiKeys;

  @BeforeAll
  static void startServices() {
    comfy = FakeComfyUi.builder().steps(2).start();
    database = Stores.open(dir.resolve("db/app.db").toString());
    engine = engineBuilder().build();
    apiKeys = new ApiKeys(database.apiKeys(), Clock.systemUTC());
  }

  /** The engine of these tests, on the fake and the database, before {@code build()}. */
  static JobEngine.Builder engineBuilder() {
    return JobEngine.builder()
        .servers(List.of(comfy.baseUrl()))
        .database(database)
        .outputDir(dir.resolve("outputs"))
        .quota(QUOTA)
        .diskMinFreeMb(0)
        .probeInterval(Duration.ofMillis(200))
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100)).readTimeout(Duration.ofSeconds(2)));
  }

  @AfterAll
  static void stopServices() {
    engine.close();
    database.close();
    comfy.close();
  }

  @Override
  protected Application configure() {
    forceSet(TestProperties.CONTAINER_PORT, "0");
    return application(new AppServices(Settings.defaults(), engine, apiKeys));
  }

  /** The application under test, built on these services; a subclass may hand in broken ones. */
  protected ComfyApplication application(AppServices services) {
    ComfyApplication app = new ComfyApplication(services);
    app.register(new TestIdentityFilter());
    return app;
  }

  Invocation.Builder as(String caller, String path) {
    // resolve, not target(path): that would encode the query's '?' into the path
    Invocation.Builder request = client().target(getBaseUri().resolve(path)).request();
    return caller == null ? request : request.header(TestIdentityFilter.HEADER, caller);
  }

  Response get(String caller, String path) {
    return as(caller, path).get();
  }

  Response post(String caller, String path, String json) {
    return as(caller, path).post(json == null ? null : Entity.json(json));
  }

  Response submit(String caller, String paramsJson) {
    return post(caller, "v1/jobs", "{\"params\": " + paramsJson + "}");
  }

  static String small(String prompt) {
    return "{\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 2}";
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The response body as JSON, after checking the status (the body is in the failure message). */
  static JsonNode json(Response response, int status) {
    String body = response.readEntity(String.class);
    assertThat(response.getStatus()).as(body).isEqualTo(status);
    assertThat(body).as("status %s", status).doesNotContainIgnoringCase("<html");
    return read(body);
  }

  /**
   * The one error shape: JSON (never an HTML page) with a stable {@code error} code and a
   * {@code message}.
   */
  static JsonNode error(Response response, int status, String code) {
    assertThat(response.getMediaType()).as("content type of a %s", status).isNotNull();
    assertThat(response.getMediaType().toString()).startsWith("application/json");
    JsonNode body = json(response, status);
    assertThat(body.path("error").asText()).as(body.toString()).isEqualTo(code);
    assertThat(body.path("message").asText()).as(body.toString()).isNotBlank();
    return body;
  }

  /** A 400 naming {@code parameter}, both in the message and in {@code problems}. */
  static JsonNode badParameter(Response response, String parameter) {
    JsonNode body = error(response, 400, "bad_request");
    assertThat(body.path("message").asText()).startsWith(parameter + ": ");
    assertThat(body.path("problems").get(0).path("field").asText()).isEqualTo(parameter);
    return body;
  }

  /**
   * The paging parameters every list shares: each bad {@code page} or {@code size} is a 400 naming
   * it. {@code path} may carry a query already.
   */
  void assertPagingChecked(String caller, String path) {
    String join = path.contains("?") ? "&" : "?";
    for (String bad : List.of("page=0", "page=-1", "page=x", "size=0", "size=101", "size=10000", "size=x", "size=1.5")) {
      badParameter(get(caller, path + join + bad), bad.substring(0, bad.indexOf('=')));
    }
  }

  static JobId idOf(JsonNode job) {
    return JobId.of(job.path("id").asText());
  }

  static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for %s", what).isLessThan(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
