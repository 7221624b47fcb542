package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.FakeComfyUi;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The same WAR on Payara Micro 6 (Java 17), started as operators do ({@code java
 * -DCOMFYGATE_ENV_FILE=… -jar payara-micro.jar --deploy …}): /healthz answers JSON, a job
 * submitted with the BOOTSTRAP_ADMIN_KEY (Payara's default realm has no users) ends with its PNG,
 * our own role check answers on Payara as on Tomcat, and a clean start: from the start of Payara
 * through these requests its log gets no warning and no error but those of {@link #ALLOWED}.
 */
class PayaraSmokeIT {
  private static final String KEY = "payara-smoke-bootstrap-key-0123456789";
  private static final Duration READY_WITHIN = Duration.ofSeconds(300); // about 40 s on an idle 2-core machine; far more when it is shared

  /**
   * The Payara message ids whose warnings a clean start still shows, each with why no application
   * can remove it.
   */
  static final Map<String, String> ALLOWED = Map.of(
      "NCLS-SECURITY-05054", "an expired certificate in Payara's own bundled trust store, checked at every Payara start");

  /** Payara's log record header: "[time] [version] [LEVEL] [message id] [logger] …". */
  private static final Pattern PAYARA_RECORD = Pattern.compile("^\\[[^\\]]*\\] \\[[^\\]]*\\] \\[(WARNING|SEVERE)\\] \\[([^\\]]*)\\]");
  /** ComfyGate's JSON lines (its console log lands in Payara's), SLF4J's own, and bare JUL/stderr ones. */
  private static final Pattern OTHER_BAD = Pattern.compile("\"level\":\"(WARN|ERROR)\"|SLF4J\\((E|W)\\)|^(WARNING|SEVERE|ERROR|WARN)\\b");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int port = Integer.getInteger("it.payara.port");
  private final String base = "http://127.0.0.1:" + port + "/comfygate/";

  @Test
  void healthzAndOneJobOnPayaraMicro() throws Exception {
    Path dir = Path.of(System.getProperty("payara.micro.jar")).resolveSibling("payara-it");
    Files.createDirectories(dir);
    try (FakeComfyUi comfy = FakeComfyUi.builder().port(Integer.getInteger("it.comfy.port")).steps(2).start()) {
      Path env = dir.resolve("payara.env");
      Files.writeString(env, String.join("\n",
          "COMFYUI_SERVER=127.0.0.1:" + comfy.port(),
          "OUTPUT_DIR=" + dir.resolve("outputs"),
          "JOB_DB_PATH=" + dir.resolve("db").resolve("app_data.db"),
          "LOG_FILE_PATH=" + dir.resolve("logs").resolve("app.log"),
          "HEALTHZ_DISK_MIN_FREE_MB=1",
          "BOOTSTRAP_ADMIN_KEY=" + KEY, ""));
      Path log = dir.resolve("payara.log");
      // A root folder left by an earlier run makes Payara load that deployment and then replace it.
      ItFiles.deleteTree(dir.resolve("payara-root"));
      long started = System.nanoTime();
      Process payara = new ProcessBuilder(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-DCOMFYGATE_ENV_FILE=" + env, "-Xmx512m",
          "-jar", System.getProperty("payara.micro.jar"),
          "--deploy", new File(System.getProperty("war.file")).getAbsolutePath(),
          "--port", Integer.toString(port), "--nocluster", "--nohostaware",
          "--rootdir", dir.resolve("payara-root").toString()))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        HttpResponse<String> health = awaitHealthz(payara, log);
        System.out.printf("PayaraSmokeIT: Payara Micro answered /healthz 200 after %.1f s%n",
            (System.nanoTime() - started) / 1e9);
        assertThat(health.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(health.body()).contains("\"status\":\"OK\"").contains("\"comfyui#1\"").doesNotContain("127.0.0.1");
        assertThat(send("GET", "healthz", KEY, null).body()).as("an administrator's view")
            .contains("comfyui:127.0.0.1:" + comfy.port()).contains("\"reason\"");

        // The 401/403 matrix runs on Tomcat (AuthorizationMatrixIT); here, that Payara's Jersey answers
        // with our RoleCheck too, in our JSON, and no Payara filter answers in its place.
        HttpResponse<String> anonymous = send("GET", "api/v1/admin/api-keys", null, null);
        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ComfyGate\"");
        assertThat(anonymous.body()).contains("\"error\":\"unauthorized\"").contains("Sign in");
        HttpResponse<String> submitted = send("POST", "api/v1/jobs", KEY,
            "{\"params\": {\"prompt\": \"a lighthouse\", \"width\": 64, \"height\": 64, \"steps\": 2}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        assertThat(submitted.body()).as("Jackson, not JSON-B: snake_case names").contains("\"created_at\"");
        String job = URI.create(submitted.headers().firstValue("Location").orElseThrow()).getPath();
        HttpResponse<String> done = awaitSucceeded(job.substring("/comfygate/".length()));
        String file = done.body().replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
        HttpResponse<byte[]> png = http.send(request("GET", file.substring("/comfygate/".length()), KEY, null).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');
        // Authorization by declaration on Payara's Jersey too: a user's key is refused the admin
        // endpoints however the path is spelled, and every answer carries the CSP.
        HttpResponse<String> issued = send("POST", "api/v1/admin/api-keys", KEY, "{\"user_id\": \"alice\", \"name\": \"smoke\"}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        String alice = issued.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        assertThat(send("GET", "api/v1/jobs", alice, null).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = send("GET", "api/v1/admin/api-keys", alice, null);
        assertThat(forbidden.statusCode()).as(forbidden.body()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(forbidden.body()).contains("\"error\":\"forbidden\"").contains("This needs the admin role");
        for (String path : List.of("api/v1/admin/api-keys", "api/v1;x/admin/api-keys", "api/v1/admin;x/api-keys", "api/v1/%61dmin/api-keys")) {
          HttpResponse<String> refused = send("GET", path, alice, null);
          assertThat(refused.statusCode()).as("%s: %s", path, refused.body()).isIn(400, 403, 404);
          assertThat(refused.body()).as(path).doesNotContain("\"items\"");
        }
        assertThat(send("GET", "api/v1/jobs", alice, null).headers().firstValue("Content-Security-Policy"))
            .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'"));
        System.out.printf("PayaraSmokeIT: start, health and one job took %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(warnings(log)).as("warnings and errors in Payara's log (allowed: %s)", ALLOWED.keySet()).isEmpty();
      } finally {
        payara.destroy();
        if (!payara.waitFor(20, TimeUnit.SECONDS)) {
          payara.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private HttpResponse<String> awaitHealthz(Process payara, Path log) throws Exception {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (true) {
      assertThat(payara.isAlive()).as("Payara exited: %s", tail(log)).isTrue();
      try {
        HttpResponse<String> health = send("GET", "healthz", null, null);
        // Payara serves the app's servlets while it still finishes deploying it, and answers its own
        // HTML 503 to some requests until then: wait for its "ready in … ms" line as well.
        boolean apiUp = health.statusCode() == 200 && send("GET", "api/v1/precheck", KEY, null).statusCode() == 200
            && new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).contains(" ready in ");
        if (apiUp || System.nanoTime() > deadline) {
          assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
          return health;
        }
      } catch (IOException notListeningYet) { // refused while it starts; a timeout would say more
        assertThat(System.nanoTime()).as("no /healthz within %s (last: %s); Payara's log ends: %s",
            READY_WITHIN, notListeningYet, tail(log)).isLessThan(deadline);
      }
      Thread.sleep(500);
    }
  }

  private HttpResponse<String> awaitSucceeded(String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> job = send("GET", path, KEY, null);
    while (!job.body().contains("\"state\":\"succeeded\"")) {
      assertThat(System.nanoTime()).as("job never succeeded: %s", job.body()).isLessThan(deadline);
      Thread.sleep(100);
      job = send("GET", path, KEY, null);
    }
    return job;
  }

  /**
   * Payara's WARNING and SEVERE records, each by its first line, but those with a message id of
   * {@link #ALLOWED}, and any other warning or error line (ComfyGate's own, SLF4J's).
   */
  static List<String> warnings(Path log) throws IOException {
    List<String> found = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
      String plain = line.replaceAll("\u001B\\[[0-9;]*m", "");
      Matcher record = PAYARA_RECORD.matcher(plain);
      boolean bad = record.find() ? !ALLOWED.containsKey(record.group(2)) : OTHER_BAD.matcher(plain).find();
      if (bad) {
        found.add(plain.length() > 400 ? plain.substring(0, 400) : plain);
      }
    }
    return found;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private HttpRequest.Builder request(String method, String path, String key, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return request;
  }

  private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    return http.send(request(method, path, key, body).build(), HttpResponse.BodyHandlers.ofString());
  }
}
