package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may call what, in the real Tomcat with its file realm: every endpoint and method, called by
 * each kind of caller, against one table of expected statuses. {@code {job}}, {@code {image}} and
 * {@code {upload}} are alice's, so bob (another user) gets 404 for them, never a hint that they exist.
 */
class AuthorizationMatrixIT extends DeployedWar {
  private static final String SUBMIT = "{\"params\": {\"prompt\": \"matrix\", \"width\": 64, \"height\": 64, \"steps\": 1}}";
  private static final String ALICE_CREDENTIALS = "{\"username\": \"alice\", \"password\": \"alice-pw\"}";
  /** The callers, in the order of the table's columns. */
  private static final List<String> CALLERS = List.of("anonymous", "alice", "bob", "root", "nobody", "alice's key", "revoked key");

  private static String job;
  private static String image;
  private static String upload;
  /** A row body sent as a multipart upload of a small PNG rather than as JSON. */
  private static final String PNG_UPLOAD = "(png upload)";
  private static String aliceKey;
  private static String revokedKey;

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);

  /** Alice's job and image, a key of alice's and a revoked one: made once, as root and alice. */
  @BeforeEach
  void fixture() {
    if (job != null) {
      return;
    }
    http.awaitHealthy();
    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "alice", SUBMIT);
    String path = http.relative(submitted.headers().firstValue("Location").orElseThrow(() -> new AssertionError(submitted.body())));
    JsonNode done = http.awaitState(path, "alice", "succeeded", Duration.ofSeconds(30));
    job = done.path("id").asText();
    image = done.path("images").get(0).path("id").asText();
    upload = json(ItUploads.upload(http, "alice", ItUploads.png(8, 8)), 201).path("id").asText();
    aliceKey = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"alice\", \"name\": \"matrix\"}"), 201)
        .path("key").asText();
    JsonNode revoked = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"alice\", \"name\": \"old\"}"), 201);
    revokedKey = revoked.path("key").asText();
    json(http.send("POST", "api/v1/admin/api-keys/" + revoked.path("api_key").path("id").asText() + "/revoke", "root", null), 200);
  }

  private static Row row(String method, String path, String body, int anonymous, int alice, int bob, int root, int nobody,
      int aliceKey, int revokedKey) {
    return new Row(method, path, body, List.of(anonymous, alice, bob, root, nobody, aliceKey, revokedKey));
  }

  private record Row(String method, String path, String body, List<Integer> expected) {}

  /**
   * The table. Rows run in order: alice's image is deleted, then restored; {@code {newkey}} is a
   * fresh key issued for each caller that may revoke it.
   */
  private static final List<Row> TABLE = List.of(
      //  method  path                                     body               anon alice bob root nobody key revoked
      row("GET", "healthz",                                null,               200, 200, 200, 200, 200, 200, 200),
      row("GET", "api/v1/precheck",                        null,               401, 200, 200, 200, 403, 200, 401),
      row("GET", "api/v1/jobs",                            null,               401, 200, 200, 200, 403, 200, 401),
      row("POST", "api/v1/jobs",                           SUBMIT,             401, 202, 202, 202, 403, 202, 401),
      row("GET", "api/v1/jobs/{job}",                      null,               401, 200, 404, 200, 403, 200, 401),
      row("GET", "api/v1/jobs/{job}/preview",              null,               401, 404, 404, 404, 403, 404, 401),
      row("POST", "api/v1/jobs/{job}/cancel",              null,               401, 200, 404, 200, 403, 200, 401),
      row("GET", "api/v1/images",                          null,               401, 200, 200, 200, 403, 200, 401),
      row("GET", "api/v1/images/{image}",                  null,               401, 200, 404, 200, 403, 200, 401),
      row("GET", "api/v1/images/{image}/file",             null,               401, 200, 404, 200, 403, 200, 401),
      row("POST", "api/v1/images/{image}/delete",          null,               401, 200, 404, 200, 403, 200, 401),
      row("POST", "api/v1/images/{image}/restore",         null,               401, 200, 404, 200, 403, 200, 401),
      row("POST", "api/v1/uploads",                        PNG_UPLOAD,         401, 201, 201, 201, 403, 201, 401),
      row("GET", "api/v1/uploads/{upload}",                null,               401, 200, 404, 200, 403, 200, 401),
      row("GET", "api/v1/uploads/{upload}/file",           null,               401, 200, 404, 200, 403, 200, 401),
      row("GET", "api/v1/admin/images",                    null,               401, 403, 403, 200, 403, 403, 401),
      row("POST", "api/v1/admin/purge-trash",              null,               401, 403, 403, 200, 403, 403, 401),
      row("GET", "api/v1/admin/status",                    null,               401, 403, 403, 200, 403, 403, 401),
      row("GET", "api/v1/admin/queue",                     null,               401, 403, 403, 200, 403, 403, 401),
      row("POST", "api/v1/admin/queue/{job}/cancel",       null,               401, 403, 403, 200, 403, 403, 401),
      row("GET", "api/v1/admin/api-keys",                  null,               401, 403, 403, 200, 403, 403, 401),
      row("POST", "api/v1/admin/api-keys",                 "{\"user_id\": \"x\", \"name\": \"m\"}",
                                                                               401, 403, 403, 201, 403, 403, 401),
      row("POST", "api/v1/admin/api-keys/{newkey}/revoke", null,               401, 403, 403, 200, 403, 403, 401),
      row("GET", "api/v1/session",                         null,               401, 200, 200, 200, 200, 200, 401),
      row("POST", "api/v1/session",                        ALICE_CREDENTIALS,  200, 200, 200, 200, 200, 200, 401),
      row("DELETE", "api/v1/session",                      null,               204, 204, 204, 204, 204, 204, 401));

  @TestFactory
  Stream<DynamicTest> everyEndpointAnswersEachCallerAsTheTableSays() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Row row : TABLE) {
      for (int c = 0; c < CALLERS.size(); c++) {
        String caller = CALLERS.get(c);
        int expected = row.expected().get(c);
        tests.add(DynamicTest.dynamicTest(row.method() + " " + row.path() + " as " + caller + " → " + expected,
            () -> check(row, caller, expected)));
      }
    }
    return tests.stream();
  }

  private void check(Row row, String caller, int expected) {
    String path = row.path().replace("{job}", job).replace("{image}", image).replace("{upload}", upload);
    if (path.contains("{newkey}")) {
      JsonNode issued = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"y\", \"name\": \"r\"}"), 201);
      path = path.replace("{newkey}", issued.path("api_key").path("id").asText());
    }
    HttpResponse<String> response = PNG_UPLOAD.equals(row.body())
        ? ItUploads.upload(http, credentials(caller), ItUploads.png(8, 8))
        : http.send(row.method(), path, credentials(caller), row.body());
    assertThat(response.statusCode()).as("%s %s as %s: %s", row.method(), path, caller, response.body()).isEqualTo(expected);
    if (expected >= 400) {
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      assertThat(json(response, expected).path("error").asText()).isNotBlank();
    }
    if (row.path().equals("api/v1/session") && row.method().equals("POST") && expected == 200) {
      // Regression: the session is the one whose password was posted, not the caller's identity.
      JsonNode session = json(response, 200);
      assertThat(session.path("user").asText()).isEqualTo("alice");
      assertThat(session.path("admin").asBoolean()).isFalse();
    }
    if (row.method().equals("POST") && row.path().equals("api/v1/jobs") && expected == 202) {
      // Let the job finish: the next caller's submit must not meet alice's per-user limit.
      http.awaitState(http.relative(response.headers().firstValue("Location").orElseThrow()), "root", "succeeded",
          Duration.ofSeconds(30));
    }
  }

  private static String credentials(String caller) {
    switch (caller) {
      case "anonymous":
        return null;
      case "alice's key":
        return "key:" + aliceKey;
      case "revoked key":
        return "key:" + revokedKey;
      default:
        return caller;
    }
  }

  /**
   * Keys, webhook secrets, passwords and session ids never reach the WAR's log files, even at
   * DEBUG-worthy moments (a key issued, used, refused; a sign-in). The log is read once it shows
   * a job submitted with the key, so it is known to be written up to that point.
   */
  @Test
  void noSecretReachesTheLog() throws Exception {
    JsonNode issued = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"alice\", \"name\": \"log check\"}"), 201);
    String key = issued.path("key").asText();
    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "key:" + key, SUBMIT);
    String jobId = json(submitted, 202).path("id").asText();
    http.send("GET", "api/v1/jobs", "key:" + revokedKey, null);
    http.send("GET", "api/v1/jobs", "key:" + key + "x", null);
    HttpResponse<String> signIn = http.send("POST", "api/v1/session", null, ALICE_CREDENTIALS);
    String session = signIn.headers().firstValue("Set-Cookie").orElse("");
    java.nio.file.Path logs = java.nio.file.Path.of(ItHttp.itSetting("LOG_FILE_PATH")).getParent();
    http.await("api/v1/jobs/" + jobId, "alice", Duration.ofSeconds(30), r -> logsContain(logs, jobId));

    List<String> secrets = new ArrayList<>(List.of(key, aliceKey, revokedKey, "alice-pw", "root-pw"));
    if (!issued.path("webhook_secret").asText().isEmpty()) {
      secrets.add(issued.path("webhook_secret").asText());
    }
    if (session.startsWith("JSESSIONID=")) {
      secrets.add(session.substring("JSESSIONID=".length(), session.indexOf(';') > 0 ? session.indexOf(';') : session.length()));
    }
    for (String secret : secrets) {
      assertThat(logsContain(logs, secret)).as("a secret (%s…) in the log files", secret.substring(0, 3)).isFalse();
    }
  }

  private static boolean logsContain(java.nio.file.Path folder, String text) {
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(folder)) {
      for (java.nio.file.Path f : files.toList()) {
        if (java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.UTF_8).contains(text)) {
          return true;
        }
      }
      return false;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aSignedInBrowserChangesStateOnlyWithItsCsrfToken() {
    HttpResponse<String> signIn = http.send("POST", "api/v1/session", null, ALICE_CREDENTIALS);
    JsonNode session = json(signIn, 200);
    assertThat(session.path("user").asText()).isEqualTo("alice");
    String csrf = session.path("csrf_token").asText();
    assertThat(csrf).hasSizeGreaterThan(20);
    String cookie = signIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
        .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + signIn.headers()));
    assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");
    String jsession = cookie.substring(0, cookie.indexOf(';'));

    assertThat(json(http.send("GET", "api/v1/jobs", null, null, "Cookie", jsession), 200).has("items")).isTrue();
    HttpResponse<String> forged = http.send("POST", "api/v1/images/" + image + "/restore", null, null, "Cookie", jsession);
    assertThat(json(forged, 403).path("message").asText()).contains("X-CSRF-Token");
    json(http.send("POST", "api/v1/images/" + image + "/restore", null, null, "Cookie", jsession, "X-CSRF-Token", "wrong"), 403);
    JsonNode restored = json(http.send("POST", "api/v1/images/" + image + "/restore", null, null, "Cookie", jsession,
        "X-CSRF-Token", csrf), 200);
    assertThat(restored.path("id").asText()).isEqualTo(image);
    json(http.send("DELETE", "api/v1/session", null, null, "Cookie", jsession), 403);

    assertThat(http.send("DELETE", "api/v1/session", null, null, "Cookie", jsession, "X-CSRF-Token", csrf).statusCode()).isEqualTo(204);
    json(http.send("GET", "api/v1/jobs", null, null, "Cookie", jsession), 401);
    json(http.send("POST", "api/v1/session", null, "{\"username\": \"alice\", \"password\": \"nope\"}"), 401);
    json(http.send("POST", "api/v1/session", null, "{\"username\": \"nobody\", \"password\": \"nobody-pw\"}"), 403);
  }
}
