package io.comfygate.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  @Timeout(90)
  void demoModeServesTheWarWithTheSimulatedComfyUiAndStopsCleanly() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    Launcher.Options options = new Launcher.Options()
        .workDir(work).demo(Launcher.Demo.ON).port(0).fakePort(0).fakeSpeed(4, Duration.ofMillis(10))
        .setting("OUTPUT_DIR", work.resolve("outputs").toString())
        .setting("JOB_DB_PATH", work.resolve("db").resolve("app.db").toString())
        .setting("LOG_TO_FILE", "false")
        .setting("HEALTHZ_DISK_MIN_FREE_MB", "1");

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (Launcher launcher = Launcher.start(options, out)) {
      launcher.banner(out);
      String banner = captured.toString(StandardCharsets.UTF_8);
      assertThat(banner).contains(launcher.url().toString())
          .contains("SIMULATED ComfyUI: images are generated placeholders, not AI output")
          .contains("alice").contains("admin");
      assertThat(launcher.url().getHost()).isEqualTo("127.0.0.1");

      List<UsersFile.User> users = UsersFile.read(work.resolve(UsersFile.NAME));
      assertThat(users).extracting(UsersFile.User::name).containsExactly("alice", "bob", "admin");
      UsersFile.User alice = users.get(0);
      assertThat(banner).contains(alice.password());
      String basic = "Basic " + Base64.getEncoder().encodeToString(
          (alice.name() + ":" + alice.password()).getBytes(StandardCharsets.UTF_8));

      UsersFile.User admin = users.get(2);
      String fakeCheck = "comfyui:127.0.0.1:" + launcher.fake().port();
      HttpResponse<String> health = awaitHealthy(http, launcher.url().resolve("/healthz"), fakeCheck,
          basic(admin.name(), admin.password()));
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);

      HttpResponse<String> page = http.send(HttpRequest.newBuilder(launcher.url()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");

      HttpResponse<String> precheck = http.send(HttpRequest.newBuilder(launcher.url().resolve("/api/v1/precheck"))
          .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(precheck.statusCode()).as(precheck.body()).isEqualTo(200);
      assertThat(JSON.readTree(precheck.body()).path("simulated").asBoolean()).as(precheck.body()).isTrue();

      HttpResponse<String> denied = http.send(HttpRequest.newBuilder(launcher.url().resolve("/api/v1/jobs"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(
              StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(denied.statusCode()).isEqualTo(401);

      HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(launcher.url().resolve("/api/v1/jobs"))
          .header("Authorization", basic).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"params\": {\"prompt\": \"a lighthouse\"}}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
      String jobId = JSON.readTree(submitted.body()).path("id").asText();

      JsonNode job = awaitFinished(http, launcher.url().resolve("/api/v1/jobs/" + jobId), basic);
      assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
      String imageUrl = job.path("images").get(0).path("url").asText();
      HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(launcher.url().resolve(imageUrl))
          .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(image.statusCode()).isEqualTo(200);
      assertThat(image.body()).hasSizeGreaterThan(8);
      assertThat(image.body()[1]).isEqualTo((byte) 'P'); // \x89PNG
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    List<String> left;
    do {
      left = serverThreads(before);
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    assertThat(left).as("threads left after close").isEmpty();
    assertThat(System.getProperty("COMFYUI_SERVER")).isNull();
  }

  /** The runbook's rehearsal line "after changing .env and restarting, the setting takes effect". */
  @Test
  @Timeout(120)
  void aSettingChangedInDotEnvTakesEffectAfterARestart() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    java.nio.file.Files.writeString(work.resolve(".env"), "# rehearsal\nHEALTHZ_DISK_MIN_FREE_MB=999999999\n");
    try (Launcher launcher = Launcher.start(rehearsalOptions(), quiet)) {
      HttpResponse<String> health = awaitHealthz(http, launcher.url().resolve("/healthz"),
          r -> r.statusCode() == 503 && r.body().contains("999999999"));
      assertThat(health.body()).as("the disk check names the threshold from .env").contains("999999999");
    }
    java.nio.file.Files.writeString(work.resolve(".env"), "# rehearsal, changed\nHEALTHZ_DISK_MIN_FREE_MB=1\n");
    try (Launcher launcher = Launcher.start(rehearsalOptions(), quiet)) {
      HttpResponse<String> health = awaitHealthz(http, launcher.url().resolve("/healthz"), r -> r.statusCode() == 200);
      assertThat(health.body()).doesNotContain("999999999");
    }
  }

  /**
   * The protections of deploy/tomcat: a user name is locked after {@link Launcher#LOCKOUT_FAILURES}
   * wrong passwords (then even the right one is refused, while other users carry on), and what
   * Tomcat answers itself outside the API (an unknown page, a wrong method) is JSON without its
   * name or version.
   */
  @Test
  @Timeout(90)
  void wrongPasswordsLockAUserOutAndTomcatsOwnErrorsAreJsonWithoutItsVersion() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (Launcher launcher = Launcher.start(rehearsalOptions(), quiet)) {
      List<UsersFile.User> users = UsersFile.read(work.resolve(UsersFile.NAME));
      UsersFile.User alice = users.get(0);
      UsersFile.User bob = users.get(1);
      URI jobs = launcher.url().resolve("/api/v1/jobs");
      assertThat(status(http, "GET", jobs, basic(alice.name(), alice.password()))).isEqualTo(200);
      for (int i = 1; i <= Launcher.LOCKOUT_FAILURES; i++) {
        assertThat(status(http, "GET", jobs, basic(alice.name(), "guess-" + i))).as("wrong password %d", i).isEqualTo(401);
      }
      assertThat(status(http, "GET", jobs, basic(alice.name(), alice.password()))).as("locked out: the right password too").isEqualTo(401);
      HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(launcher.url().resolve("/api/v1/session"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"username\": \"" + alice.name() + "\", \"password\": \"" + alice.password() + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(signIn.statusCode()).as("the page's sign-in too: " + signIn.body()).isEqualTo(401);
      assertThat(status(http, "GET", jobs, basic(bob.name(), bob.password()))).as("another user").isEqualTo(200);

      String version = org.apache.catalina.util.ServerInfo.getServerNumber();
      for (String[] request : new String[][] {{"GET", "/no-such-page.html", "404"}, {"DELETE", "/index.html", "405"},
          {"PUT", "/index.html", "405"}, {"GET", "/a%2Fb", "400"}}) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(launcher.url().resolve(request[1]))
            .method(request[0], HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String what = request[0] + " " + request[1] + ": " + answer.body();
        assertThat(answer.statusCode()).as(what).isEqualTo(Integer.parseInt(request[2]));
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("application/json");
        assertThat(JSON.readTree(answer.body()).isObject()).as(what).isTrue();
        assertThat(answer.body()).as(what).doesNotContain("Tomcat", version, "<html");
        assertThat(answer.headers().firstValue("Server").orElse("ComfyGate")).as(what).isEqualTo("ComfyGate");
      }
    }
  }

  private static int status(HttpClient http, String method, URI uri, String authorization) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private Launcher.Options rehearsalOptions() {
    return new Launcher.Options()
        .workDir(work).demo(Launcher.Demo.ON).port(0).fakePort(0).fakeSpeed(4, Duration.ofMillis(10))
        .setting("OUTPUT_DIR", work.resolve("outputs").toString())
        .setting("JOB_DB_PATH", work.resolve("db").resolve("app.db").toString())
        .setting("LOG_TO_FILE", "false");
  }

  /** /healthz as the launcher's administrator sees it (with each check's reason). */
  private HttpResponse<String> awaitHealthz(HttpClient http, URI healthz,
      java.util.function.Predicate<HttpResponse<String>> wanted) throws Exception {
    UsersFile.User admin = UsersFile.read(work.resolve(UsersFile.NAME)).get(2);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> last;
    do {
      last = http.send(HttpRequest.newBuilder(healthz).header("Authorization", basic(admin.name(), admin.password())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (wanted.test(last)) {
        return last;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("/healthz never as expected: " + last.statusCode() + " " + last.body());
  }

  /** /healthz as the administrator {@code authorization} sees it (with each check's address and reason). */
  private static HttpResponse<String> awaitHealthy(HttpClient http, URI healthz, String check, String authorization) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> last;
    do {
      last = http.send(HttpRequest.newBuilder(healthz).header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() == 200 && last.body().contains(check)) {
        return last;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("not healthy naming " + check + ": " + last.statusCode() + " " + last.body());
  }

  private static JsonNode awaitFinished(HttpClient http, URI job, String basic) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last;
    do {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(job).header("Authorization", basic).build(),
          HttpResponse.BodyHandlers.ofString());
      last = JSON.readTree(r.body());
      String state = last.path("state").asText();
      if (Set.of("succeeded", "failed", "cancelled", "timed_out").contains(state)) {
        return last;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("job did not finish: " + last);
  }

  /** Threads started since {@code before} that belong to Tomcat or ComfyGate and are still alive. */
  private static List<String> serverThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .filter(n -> n.startsWith("comfygate-") || n.startsWith("http-nio-") || n.startsWith("Catalina-")
            || n.contains("Tomcat") || n.startsWith("fake-"))
        .sorted()
        .collect(Collectors.toList());
  }
}
