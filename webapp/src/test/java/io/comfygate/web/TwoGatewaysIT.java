package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Two WARs in two Tomcats on one PostgreSQL and one shared output folder, set up from the deploy
 * files as deploy/cluster/README.md says, in front of one simulated ComfyUI: both answer, both show
 * the two instances and the one that dispatches, either takes any request, a socket and a browser on
 * the follower see the dispatcher's jobs through to their images, and jobs submitted to both end once with each prompt sent to ComfyUI
 * once, also across a rolling restart and when the dispatcher is killed (kill -9) while jobs wait.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "catalina.sh and POSIX signals")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoGatewaysIT {
  private static final String SERVER = System.getProperty("comfygate.test.postgresql",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  private static final List<String> USERS = List.of("u1", "u2", "u3", "u4", "u5");
  private static final Duration JOBS_END_WITHIN = Duration.ofSeconds(90);

  @RegisterExtension static final ItBrowser chromium = new ItBrowser();

  private static String schema;
  private static FakeComfyUi comfy;
  private static GatewayNode a;
  private static GatewayNode b;

  @BeforeAll
  static void startTwoInstances() throws Exception {
    schema = "cg_cluster_" + UUID.randomUUID().toString().replace("-", "");
    admin("CREATE SCHEMA " + schema);
    comfy = FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(20)).start();
    Path target = Path.of(System.getProperty("war.file")).toAbsolutePath().getParent();
    Path shared = Files.createDirectories(target.resolve("cluster-shared/outputs"));
    Map<String, String> roles = new LinkedHashMap<>();
    USERS.forEach(u -> roles.put(u, "user"));
    roles.put("admin", "admin,user");
    String users = GatewayNode.usersXml(roles);
    // ports past the build's others (http +0, jmx +8, payara +9; TomcatDeployScriptIT +5)
    int port = Integer.getInteger("it.http.port") + 11;
    a = node("a", port, users, shared);
    b = node("b", port + 1, users, shared);
    a.start();
    b.start();
    a.http.awaitHealthy();
    b.http.awaitHealthy();
  }

  private static GatewayNode node(String name, int port, String users, Path shared) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("COMFYUI_SERVER", "127.0.0.1:" + comfy.port());
    settings.put("JOB_DB_PATH", SERVER + (SERVER.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    settings.put("OUTPUT_DIR", shared.toString());
    settings.put("MAX_PER_USER_QUEUE", "10");
    settings.put("INSTANCE_ID", "gateway-" + name);
    return GatewayNode.create(name, port, users, settings);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try (FakeComfyUi c = comfy; GatewayNode x = a; GatewayNode y = b) {
      // closed in reverse order: the instances, then the fake
    } finally {
      admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  @Order(1)
  void eachInstanceIsHealthyAndNamesTheOneDatabaseTheyShare() {
    JsonNode healthA = json(a.http.send("GET", "healthz", "admin", null), 200);
    JsonNode healthB = json(b.http.send("GET", "healthz", "admin", null), 200);

    String databaseA = reason(healthA, "database");
    assertThat(databaseA).contains("PostgreSQL").contains("jdbc:postgresql://127.0.0.1:5432/test");
    assertThat(reason(healthB, "database")).isEqualTo(databaseA);
    assertThat(reason(healthA, "disk")).endsWith(", writable");
    assertThat(reason(healthB, "disk")).endsWith(", writable");
  }

  @Test
  @Order(2)
  void eitherInstanceShowsBothAndTheOneThatDispatches() {
    JsonNode fromA = json(a.http.send("GET", "api/v1/admin/status", "admin", null), 200).path("cluster");
    JsonNode fromB = json(b.http.send("GET", "api/v1/admin/status", "admin", null), 200).path("cluster");

    assertThat(fromA.path("shared").asBoolean()).isTrue();
    assertThat(fromA.path("self").asText()).isEqualTo("gateway-a");
    assertThat(fromB.path("self").asText()).isEqualTo("gateway-b");
    assertThat(fromA.path("dispatcher").asText()).isIn("gateway-a", "gateway-b").isEqualTo(fromB.path("dispatcher").asText());
    for (JsonNode view : List.of(fromA, fromB)) {
      assertThat(view.path("instances").findValuesAsText("id")).contains("gateway-a", "gateway-b");
      for (JsonNode i : view.path("instances")) {
        if (i.path("id").asText().startsWith("gateway-")) {
          assertThat(i.path("role").asText()).isEqualTo(i.path("id").asText().equals(view.path("dispatcher").asText())
              ? "dispatcher" : "follower");
          assertThat(i.has("stopped_at")).as("%s runs", i).isFalse();
        }
      }
    }
  }

  @Test
  @Order(3)
  void aSocketOnTheFollowerFollowsAJobTheDispatcherRunsToItsImages() throws Exception {
    GatewayNode dispatcher = dispatcher();
    GatewayNode follower = dispatcher == a ? b : a;
    ItLiveSocket socket = ItLiveSocket.open(follower.http, follower.http.uri("ws", "api/v1/live"),
        "Authorization", ItHttp.basic("u2"));
    try {
      socket.next("snapshot");
      String id = json(dispatcher.http.send("POST", "api/v1/jobs", "u2", body("seen from the follower")), 202)
          .path("id").asText();

      List<JsonNode> seen = socket.until(m -> id.equals(m.path("job").path("id").asText())
          && "job_complete".equals(m.path("event").asText()));

      assertThat(seen.stream().filter(m -> m.path("type").asText().equals("job") && id.equals(m.path("job").path("id").asText()))
          .map(m -> m.path("event").asText())).containsExactly("enqueue", "job_start", "job_complete");
      JsonNode done = seen.get(seen.size() - 1).path("job");
      assertThat(done.path("state").asText()).isEqualTo("succeeded");
      String image = follower.http.relative(done.path("images").get(0).path("url").asText());
      assertThat(follower.http.getBytes(image, "u2").statusCode()).isEqualTo(200);
    } finally {
      socket.webSocket().abort();
    }
  }

  @Test
  @Order(4)
  void aBrowserSignedInOnTheFollowerFollowsItsJobToItsImageAndSeesBothInstances() throws Exception {
    GatewayNode follower = dispatcher() == a ? b : a;
    Browser page = chromium.get();
    page.resize(Browser.DESKTOP);
    page.open(follower.http.uri("http", "").toURL(), "");
    page.signIn("u4");
    page.awaitForm("txt2img");
    page.setSmallImage();

    String id = page.submit("generated through the follower, dispatched by the other");

    WebElement card = page.awaitCard(id, "succeeded");
    assertThat(card.getAttribute("data-job-id")).isEqualTo(id);
    String imageId = page.imageIdOf(id);
    page.waitFor().until(ExpectedConditions.visibilityOfElementLocated(Browser.galleryImage(imageId)));
    String dispatchedBy = json(follower.http.send("GET", "api/v1/admin/status", "admin", null), 200)
        .path("cluster").path("dispatcher").asText();
    assertThat(dispatchedBy).isNotEqualTo(follower.setting("INSTANCE_ID"));
    page.assertNoConsoleErrors(Browser.ExpectedHttpError.SIGNED_OUT_PROBE);
  }

  @Test
  @Order(5)
  void jobsSubmittedToBothInstancesEndOnceAndEachPromptReachesComfyUiOnce() {
    List<String> ids = submitSpread(4, "spread");

    Map<String, JsonNode> ended = awaitAllEnded(ids);

    assertThat(ended.values()).allSatisfy(job -> assertThat(job.path("state").asText()).isEqualTo("succeeded"));
    assertEachPromptPostedOnce();
    // a job is the same whichever instance is asked
    String first = ids.get(0);
    JsonNode fromB = json(b.http.send("GET", "api/v1/jobs/" + first, "u1", null), 200);
    JsonNode fromA = json(a.http.send("GET", "api/v1/jobs/" + first, "u1", null), 200);
    assertThat(fromB.path("state")).isEqualTo(fromA.path("state"));
    assertThat(fromB.path("images")).isEqualTo(fromA.path("images"));
    // its image, written by whichever instance collected it, is served by both from the shared folder
    String image = b.http.relative(fromB.path("images").get(0).path("url").asText());
    assertThat(a.http.getBytes(image, "u1").statusCode()).isEqualTo(200);
    assertThat(b.http.getBytes(image, "u1").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void aRollingRestartWhileJobsRunFailsNothing() {
    List<String> ids = submitSpread(3, "rolling");

    a.stop(); // as systemctl stop during an upgrade
    List<String> more = new ArrayList<>(ids);
    for (String user : USERS) { // the other instance takes every request meanwhile
      more.add(json(b.http.send("POST", "api/v1/jobs", user, body(user + " during the restart")), 202).path("id").asText());
    }
    a.start();
    a.http.awaitHealthy();
    more.add(json(a.http.send("POST", "api/v1/jobs", "u1", body("after the restart")), 202).path("id").asText());

    Map<String, JsonNode> ended = awaitAllEnded(more);

    assertThat(ended.values()).allSatisfy(job -> assertThat(job.path("state").asText())
        .as("job %s", job.path("id").asText()).isEqualTo("succeeded"));
    assertEachPromptPostedOnce();
  }

  @Test
  @Order(7)
  void killingTheDispatcherLosesNoJobAndTheOtherTakesOver() {
    comfy.slowNodes(Duration.ofMillis(200)); // jobs are still waiting and running at the kill
    List<String> ids = submitSpread(3, "failover");
    GatewayNode dispatcher = dispatcher();
    GatewayNode survivor = dispatcher == a ? b : a;

    dispatcher.kill();
    long killed = System.nanoTime();
    String survivorId = survivor.setting("INSTANCE_ID");
    survivor.http.await("api/v1/admin/status", "admin", Duration.ofSeconds(30),
        r -> r.statusCode() == 200 && r.body().contains("\"dispatcher\":\"" + survivorId + "\""));
    System.out.printf("TwoGatewaysIT: %s dispatches %d ms after the kill -9 of %s%n", survivor.name,
        (System.nanoTime() - killed) / 1_000_000, dispatcher.name);
    comfy.slowNodes(Duration.ZERO);
    List<String> more = new ArrayList<>(ids);
    more.add(json(survivor.http.send("POST", "api/v1/jobs", "u3", body("after the kill")), 202).path("id").asText());

    Map<String, JsonNode> ended = awaitAllEnded(more, survivor);

    assertThat(ended.values()).allSatisfy(job -> assertThat(job.path("state").asText())
        .as("job %s", job.path("id").asText()).isEqualTo("succeeded"));
    assertEachPromptPostedOnce();
    dispatcher.start(); // back for the next class member, as a follower now
  }

  /** The instance holding the dispatcher lease, as A's admin status says. */
  private static GatewayNode dispatcher() {
    String id = json(a.http.send("GET", "api/v1/admin/status", "admin", null), 200).path("cluster").path("dispatcher").asText();
    assertThat(id).as("an instance dispatches").isIn("gateway-a", "gateway-b");
    return id.equals("gateway-a") ? a : b;
  }

  /** {@code perUser} jobs for each user, alternating between the two instances. */
  private static List<String> submitSpread(int perUser, String label) {
    List<String> ids = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < perUser; i++) {
      for (String user : USERS) {
        GatewayNode to = n++ % 2 == 0 ? a : b;
        ids.add(json(to.http.send("POST", "api/v1/jobs", user, body(label + " " + user + " " + i)), 202).path("id").asText());
      }
    }
    return ids;
  }

  private static String body(String prompt) {
    return "{\"params\": {\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 3}}";
  }

  /** Each job as the admin view shows it once it ended, asked of alternating instances. */
  private static Map<String, JsonNode> awaitAllEnded(List<String> ids) {
    return awaitAllEnded(ids, null);
  }

  /** Each job once it ended, asked of {@code only} (or of alternating instances when null). */
  private static Map<String, JsonNode> awaitAllEnded(List<String> ids, GatewayNode only) {
    Map<String, JsonNode> ended = new LinkedHashMap<>();
    long deadline = System.nanoTime() + JOBS_END_WITHIN.toNanos();
    int n = 0;
    while (ended.size() < ids.size()) {
      for (String id : ids) {
        if (ended.containsKey(id)) {
          continue;
        }
        GatewayNode from = only != null ? only : n++ % 2 == 0 ? a : b;
        JsonNode job = json(from.http.send("GET", "api/v1/jobs/" + id, "admin", null), 200);
        if (List.of("succeeded", "failed", "timeout", "cancelled").contains(job.path("state").asText())) {
          ended.put(id, job);
        }
      }
      assertThat(System.nanoTime()).as("jobs still not ended: %s of %s ended", ended.size(), ids.size())
          .isLessThan(deadline);
      GatewayNode.sleep(200);
    }
    return ended;
  }

  /** No prompt id was POSTed to ComfyUI twice (the prompt id is derived from the job's id). */
  private static void assertEachPromptPostedOnce() {
    Map<String, Long> posts = comfy.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().equals("/prompt"))
        .map(TwoGatewaysIT::promptId)
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(posts).isNotEmpty();
    assertThat(posts.entrySet()).filteredOn(e -> e.getValue() > 1).as("prompts POSTed more than once").isEmpty();
  }

  private static String promptId(RecordedRequest request) {
    try {
      return ItHttp.JSON.readTree(request.body()).path("prompt_id").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String reason(JsonNode health, String check) {
    for (JsonNode c : health.path("checks")) {
      if (c.path("name").asText().equals(check)) {
        return c.path("reason").asText();
      }
    }
    throw new AssertionError("no check " + check + " in " + health);
  }

  private static void admin(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
