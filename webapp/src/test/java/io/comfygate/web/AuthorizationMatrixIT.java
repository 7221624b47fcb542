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
      row("GET", "openapi.json",                           null,               200, 200, 200, 200, 200, 200, 200),
      row("GET", "metrics",                                null,               401, 403, 403, 200, 403, 403, 401),
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

  /** The callers of the path-variant sweep. */
  private static final List<String> SWEEP_CALLERS = List.of("anonymous", "alice", "bob", "root", "nobody", "revoked key");

  /**
   * No spelling of a path gets past the rule of the endpoint it reaches. For every operation of
   * {@code /openapi.json} (so an endpoint added later is swept without editing this test), every
   * caller and every variant of {@link PathVariants}: never a 5xx; where the canonical path answers
   * 401, 403 or 404, never a 2xx; and where it refuses (401/403), the variant is refused the same way
   * or not routed at all (the container's 400/404, "No such endpoint", 405): any other answer means
   * the request reached the method. The ids are alice's own job, image and upload made for the sweep,
   * which the admin's variants may change freely.
   */
  @Test
  void noSpellingOfAPathGetsPastTheRuleOfTheEndpointItReaches() throws Exception {
    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "alice", SUBMIT);
    JsonNode done = http.awaitState(http.relative(submitted.headers().firstValue("Location").orElseThrow()), "alice", "succeeded",
        Duration.ofSeconds(30));
    java.util.Map<String, String> ids = java.util.Map.of(
        "jobs", done.path("id").asText(),
        "queue", done.path("id").asText(),
        "images", done.path("images").get(0).path("id").asText(),
        "uploads", json(ItUploads.upload(http, "alice", ItUploads.png(8, 8)), 201).path("id").asText(),
        "api-keys", json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"carl\", \"name\": \"sweep\"}"), 201)
            .path("api_key").path("id").asText(),
        "webhooks", "e01nosuchevent");
    JsonNode doc = json(http.send("GET", "openapi.json", null, null), 200);
    String context = http.contextPath().substring(0, http.contextPath().length() - 1);
    List<Sweep> sweeps = new ArrayList<>();
    doc.path("paths").fields().forEachRemaining(route -> route.getValue().fieldNames().forEachRemaining(method -> {
      if (List.of("get", "post", "put", "delete", "patch").contains(method)) {
        for (String caller : SWEEP_CALLERS) {
          sweeps.add(new Sweep(method.toUpperCase(java.util.Locale.ROOT), context + withIds(route.getKey(), ids), caller));
        }
      }
    }));
    assertThat(sweeps.size()).as("operations x callers").isGreaterThan(30 * SWEEP_CALLERS.size());

    java.util.concurrent.ConcurrentLinkedQueue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger refusedCanonically = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> running = new ArrayList<>();
      for (Sweep sweep : sweeps) {
        running.add(pool.submit(() -> sweep.run(this, failures, requests, refusedCanonically)));
      }
      for (java.util.concurrent.Future<?> f : running) {
        f.get(5, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf("path-variant sweep: %d operations x callers, %d requests, %d refused canonically%n",
        sweeps.size(), requests.get(), refusedCanonically.get());
    assertThat(refusedCanonically.get()).as("pairs whose canonical path is refused").isGreaterThan(100);
    assertThat(failures).as("of %d requests", requests.get()).isEmpty();
  }

  private static String withIds(String route, java.util.Map<String, String> ids) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^/]+)/\\{[^}]+}").matcher(route);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, m.group(1) + "/" + ids.getOrDefault(m.group(1), "x01none"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One operation as one caller: the canonical path, then every variant. */
  private record Sweep(String method, String path, String caller) {
    void run(AuthorizationMatrixIT test, java.util.Collection<String> failures, java.util.concurrent.atomic.AtomicInteger requests,
        java.util.concurrent.atomic.AtomicInteger refusedCanonically) {
      HttpResponse<String> canonical = test.raw(method, path, caller);
      requests.incrementAndGet();
      int expected = canonical.statusCode();
      if (expected >= 500) {
        failures.add(this + " canonical: " + expected + " " + canonical.body());
      }
      boolean refused = expected == 401 || expected == 403;
      if (refused) {
        refusedCanonically.incrementAndGet();
      }
      String refusal = refused ? errorCode(canonical) : null;
      for (java.util.Map.Entry<String, String> variant : PathVariants.of(path).entrySet()) {
        HttpResponse<String> answer = test.raw(method, variant.getValue(), caller);
        requests.incrementAndGet();
        int status = answer.statusCode();
        String what = method + " " + variant.getValue() + " (" + variant.getKey() + ") as " + caller + ": " + status
            + " where " + path + " answers " + expected + ": " + shorten(answer.body());
        if (status >= 500) {
          failures.add(what);
        } else if ((expected == 401 || expected == 403 || expected == 404) && status >= 200 && status < 300) {
          failures.add(what);
        } else if (refused && !(status == expected && refusal.equals(errorCode(answer))) && !notRouted(answer)) {
          failures.add(what);
        }
      }
    }

    /** The container refused the URL, or nothing in the application matched it. */
    private static boolean notRouted(HttpResponse<String> answer) {
      int status = answer.statusCode();
      if (status != 400 && status != 404 && status != 405) {
        return false;
      }
      String code = errorCode(answer);
      return code == null || code.equals("method_not_allowed")
          || (code.equals("not_found") && message(answer).startsWith("No such endpoint"));
    }

    private static String errorCode(HttpResponse<String> answer) {
      JsonNode body = parse(answer.body());
      return body == null || !body.hasNonNull("error") ? null : body.path("error").asText();
    }

    private static String message(HttpResponse<String> answer) {
      JsonNode body = parse(answer.body());
      return body == null ? "" : body.path("message").asText();
    }

    private static JsonNode parse(String body) {
      try {
        return ItHttp.JSON.readTree(body);
      } catch (java.io.IOException | RuntimeException e) {
        return null;
      }
    }

    private static String shorten(String body) {
      return body.length() <= 200 ? body : body.substring(0, 200) + "…";
    }
  }

  /** {@code method} on an absolute path sent as it is spelled (no resolving, no normalizing). */
  private HttpResponse<String> raw(String method, String path, String caller) {
    java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + base.getPort() + path);
    boolean upload = method.equals("POST") && path.endsWith("/uploads");
    String body = switch (method) {
      case "POST", "PUT", "PATCH" -> path.endsWith("/jobs") ? SUBMIT
          : path.endsWith("/session") ? ALICE_CREDENTIALS
          : path.endsWith("/api-keys") ? "{\"user_id\": \"carl\", \"name\": \"sweep\"}" : "{}";
      default -> null;
    };
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
    if (upload) {
      request.method(method, java.net.http.HttpRequest.BodyPublishers.ofByteArray(
          ItUploads.form("image", "in.png", "image/png", ItUploads.png(8, 8)))).header("Content-Type", ItUploads.MULTIPART);
    } else if (body != null) {
      request.method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    } else {
      request.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    }
    return http.exchange(request, method, path, credentials(caller));
  }

  /**
   * Every answer, pages, files and API alike, errors included, carries the browser protections;
   * everything under /api is never stored (the CSRF token, images, errors).
   */
  @Test
  void everyAnswerCarriesTheBrowserProtectionsAndApiAnswersAreNeverStored() {
    HttpResponse<String> signIn = http.send("POST", "api/v1/session", null, ALICE_CREDENTIALS);
    List<Object[]> answers = List.of(
        new Object[] {"", http.send("GET", "", null, null), false},
        new Object[] {"admin/", http.send("GET", "admin/", null, null), false},
        new Object[] {"app.js", http.send("GET", "app.js", null, null), false},
        new Object[] {"app.css", http.send("GET", "app.css", null, null), false},
        new Object[] {"no-such-page.html", http.send("GET", "no-such-page.html", null, null), false},
        new Object[] {"healthz", http.send("GET", "healthz", null, null), false},
        new Object[] {"openapi.json", http.send("GET", "openapi.json", null, null), false},
        new Object[] {"POST api/v1/session", signIn, true},
        new Object[] {"api/v1/jobs", http.send("GET", "api/v1/jobs", "alice", null), true},
        new Object[] {"api/v1/jobs/{job}", http.send("GET", "api/v1/jobs/" + job, "alice", null), true},
        new Object[] {"api/v1/images/{image}/file", http.send("GET", "api/v1/images/" + image + "/file", "alice", null), true},
        new Object[] {"api/v1/uploads/{upload}/file", http.send("GET", "api/v1/uploads/" + upload + "/file", "alice", null), true},
        new Object[] {"api/v1/jobs anonymous (401)", http.send("GET", "api/v1/jobs", null, null), true},
        new Object[] {"api/v1/admin/queue as alice (403)", http.send("GET", "api/v1/admin/queue", "alice", null), true},
        new Object[] {"api/v1/nothing (404)", http.send("GET", "api/v1/nothing", "alice", null), true});
    for (Object[] a : answers) {
      @SuppressWarnings("unchecked")
      HttpResponse<String> r = (HttpResponse<String>) a[1];
      String what = (String) a[0] + " (" + r.statusCode() + ")";
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(what).hasValueSatisfying(csp -> assertThat(csp)
          .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
          .doesNotContain("unsafe-inline", "unsafe-eval"));
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(what).hasValue("DENY");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(what).hasValue("same-origin");
      if ((Boolean) a[2]) {
        assertThat(r.headers().firstValue("Cache-Control")).as(what).hasValue("no-store");
      }
    }
  }

  /**
   * One request, one identity: a request with alice's session cookie and bob's Basic credentials
   * (or a key) is refused, naming both; it neither acts as bob with alice's CSRF token nor moves or
   * ends her session.
   */
  @Test
  void aRequestWithACookieAndOtherCredentialsIsRefused() {
    HttpResponse<String> signIn = http.send("POST", "api/v1/session", null, ALICE_CREDENTIALS);
    String csrf = json(signIn, 200).path("csrf_token").asText();
    String cookie = ItHttp.sessionCookie(signIn);

    for (String other : List.of("bob", "key:" + aliceKey, "root")) {
      for (String method : List.of("GET", "DELETE")) {
        HttpResponse<String> mixed = http.send(method, "api/v1/session", other, null, "Cookie", cookie);
        assertThat(json(mixed, 400).path("message").asText()).contains("two identities");
        assertThat(mixed.body()).doesNotContain(csrf);
        assertThat(mixed.headers().allValues("Set-Cookie")).as("a new session id handed out").isEmpty();
      }
    }
    JsonNode still = json(http.send("GET", "api/v1/session", null, null, "Cookie", cookie), 200);
    assertThat(still.path("user").asText()).as("alice's session outlives the mixed requests").isEqualTo("alice");
    assertThat(still.path("csrf_token").asText()).isEqualTo(csrf);
    JsonNode bob = json(http.send("GET", "api/v1/session", "bob", null), 200);
    assertThat(bob.path("user").asText()).isEqualTo("bob");
    assertThat(bob.path("csrf_token").isNull() || bob.path("csrf_token").isMissingNode()).as("bob has no session: %s", bob).isTrue();
  }

  /** The pages are open; the application's own files (WEB-INF, META-INF) never are, however spelled. */
  @Test
  void staticFilesServeThePagesAndNothingElse() {
    for (String page : List.of("", "admin/", "app.js", "admin/admin.js")) {
      assertThat(http.send("GET", page, null, null).statusCode()).as(page).isEqualTo(200);
    }
    String context = http.contextPath();
    for (String hidden : List.of("WEB-INF/web.xml", "WEB-INF;x/web.xml", "web-inf/web.xml", "%57EB-INF/web.xml",
        "WEB-INF%2Fweb.xml", "./WEB-INF/web.xml", "x/../WEB-INF/web.xml", "%2e/WEB-INF/web.xml", "WEB-INF/web.xml%00",
        "WEB-INF/", "WEB-INF/lib/", "WEB-INF/classes/logback.xml", "META-INF/context.xml", "META-INF;x/context.xml",
        "meta-inf/context.xml", "META-INF/MANIFEST.MF", "WEB-INF/web.xml.", "WEB-INF/web.xml/")) {
      HttpResponse<String> r = raw("GET", context + hidden, "anonymous");
      assertThat(r.statusCode()).as("GET %s: %s", hidden, r.body()).isIn(400, 404);
      assertThat(r.body()).as(hidden).doesNotContain("<web-app", "<Context", "Manifest-Version", "<configuration");
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
