package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random requests against every endpoint of the deployed WAR: random JSON and wrong types, huge
 * strings, unicode, control characters, negative and huge numbers, broken JSON and multipart, odd
 * ids and query values. Every answer must be below 500, and a refusal (4xx) must be the JSON error
 * shape with a message. Requests that were refused must change nothing: the store's fingerprint
 * (jobs, images, API keys) is compared around each endpoint's batch.
 *
 * <p>The endpoints are found by reflection over the resource classes the WAR was built from, so a
 * new endpoint is fuzzed without editing this test. The seed is fixed for a repeatable build;
 * {@code -Dfuzz.seed=N} tries another, {@code -Dfuzz.cases=N} sets the cases per endpoint and caller.
 */
class FuzzIT extends DeployedWar {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
  private static final int CASES = Integer.getInteger("fuzz.cases", 25);
  private static final List<String> CALLERS = List.of("alice", "root");
  private static final String SUBMIT = "{\"params\": {\"prompt\": \"fuzz\", \"width\": 64, \"height\": 64, \"steps\": 1}}";

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Random random = new Random(SEED);
  /** Real ids mixed into the random ones, so some requests reach past the lookup. */
  private final List<String> knownIds = new ArrayList<>();

  private record Endpoint(String method, String template, List<String> queryParams) {
    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  @Test
  void randomRequestsToEveryEndpointAreRefusedCleanlyAndChangeNothing() throws Exception {
    ItHttp http = new ItHttp(base);
    http.awaitHealthy();
    JsonNode done = http.awaitState(http.relative(http.send("POST", "api/v1/jobs", "alice", SUBMIT)
        .headers().firstValue("Location").orElseThrow()), "alice", "succeeded", Duration.ofSeconds(30));
    knownIds.add(done.path("id").asText());
    knownIds.add(done.path("images").get(0).path("id").asText());
    knownIds.add(json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"bob\", \"name\": \"fuzz\"}"), 201)
        .path("api_key").path("id").asText());

    List<Endpoint> endpoints = endpoints();
    assertThat(endpoints).as("endpoints found by reflection").hasSizeGreaterThan(15);
    int cases = 0;
    int containerRefusals = 0;
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      String before = fingerprint(http);
      boolean changedSomething = false;
      for (String caller : CALLERS) {
        for (int i = 0; i < CASES; i++) {
          Case c = randomCase(endpoint);
          HttpResponse<String> r = send(c, caller);
          cases++;
          statuses.merge(r.statusCode(), 1, Integer::sum);
          String problem = containerRejects(c) ? judgeContainer(r) : judge(r);
          containerRefusals += containerRejects(c) ? 1 : 0;
          if (problem != null) {
            problems.add(endpoint + " as " + caller + " with " + abbreviate(c.toString(), 160) + ": " + abbreviate(problem, 160));
          }
          changedSomething |= !endpoint.method().equals("GET") && r.statusCode() < 300;
        }
      }
      String after = fingerprint(http);
      if (!changedSomething && !before.equals(after)) {
        problems.add(endpoint + ": refused requests changed the store: " + before + " -> " + after);
      }
    }
    System.out.printf("fuzz: %d cases over %d endpoints (seed %d), answers by status %s; %d refused by Tomcat before the app%n",
        cases, endpoints.size(), SEED, statuses, containerRefusals);
    assertThat(problems).as("requests answered badly (of %d)", cases).isEmpty();
  }

  /**
   * Requests that Tomcat itself refuses with its own 400 page before any application sees them: a
   * request line longer than the connector's header limit (8 KB by default), or an encoded {@code /},
   * {@code \} or NUL in the path (its safe default, encodedSolidusHandling="reject"). The WAR cannot
   * answer those; the Host's error report valve does (JSON in deploy/tomcat/conf/server.xml).
   */
  private static boolean containerRejects(Case c) {
    String path = c.path().contains("?") ? c.path().substring(0, c.path().indexOf('?')) : c.path();
    String upper = path.toUpperCase(java.util.Locale.ROOT);
    return upper.contains("%2F") || upper.contains("%5C") || upper.contains("%00") || c.path().length() > 7000;
  }

  /** Tomcat's refusal, with the Host's JsonErrorReportValve as deploy/tomcat/conf/server.xml sets it. */
  private static String judgeContainer(HttpResponse<String> r) {
    if (r.statusCode() != 400) {
      return "Tomcat's refusal is a " + r.statusCode() + ", not a 400";
    }
    try {
      return JSON.readTree(r.body()).path("message").asText().isEmpty() ? "Tomcat's refusal has no message: " + abbreviate(r.body()) : null;
    } catch (IOException e) {
      return "Tomcat's refusal is not JSON: " + abbreviate(r.body());
    }
  }

  /** What is wrong with an answer, or null. */
  private static String judge(HttpResponse<String> r) {
    if (r.statusCode() >= 500) {
      return "status " + r.statusCode() + " " + abbreviate(r.body());
    }
    if (r.statusCode() >= 400) {
      try {
        JsonNode body = JSON.readTree(r.body());
        if (body.path("error").asText().isEmpty() || body.path("message").asText().isEmpty()) {
          return "a " + r.statusCode() + " without error and message: " + abbreviate(r.body());
        }
      } catch (IOException e) {
        return "a " + r.statusCode() + " that is not JSON: " + abbreviate(r.body());
      }
    }
    return null;
  }

  private static String abbreviate(String s) {
    return abbreviate(s, 300);
  }

  private static String abbreviate(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }

  /** Jobs, images (trash too) and API keys as the admin sees them. */
  private static String fingerprint(ItHttp http) {
    StringBuilder s = new StringBuilder();
    for (String user : List.of("alice", "root", "bob")) {
      JsonNode jobs = json(http.send("GET", "api/v1/jobs?size=100", user, null), 200);
      s.append(user).append(" jobs ").append(jobs.path("total").asInt()).append(' ');
      jobs.path("items").forEach(j -> s.append(j.path("state").asText().charAt(0)));
      s.append("; ");
    }
    JsonNode images = json(http.send("GET", "api/v1/admin/images?include=all&size=100", "root", null), 200);
    s.append("images ").append(images.path("total").asInt()).append(' ');
    images.path("items").forEach(i -> s.append(i.path("deleted_at").isNull() || i.path("deleted_at").isMissingNode() ? 'a' : 'd'));
    JsonNode keys = json(http.send("GET", "api/v1/admin/api-keys", "root", null), 200);
    s.append("; keys ").append(keys.path("items").size()).append(' ');
    keys.path("items").forEach(k -> s.append(k.path("revoked_at").isNull() || k.path("revoked_at").isMissingNode() ? 'a' : 'r'));
    return s.toString();
  }

  // ------------------------------------------------------------------------------ endpoints

  /** Every resource method of the WAR's resource classes, found on the class path. */
  private static List<Endpoint> endpoints() throws Exception {
    java.nio.file.Path classes = java.nio.file.Path.of(ComfyApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Endpoint> out = new ArrayList<>();
    try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
      for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
        String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> type = Class.forName(name, false, FuzzIT.class.getClassLoader());
        Path root = type.getAnnotation(Path.class);
        if (root == null) {
          continue;
        }
        for (Method m : type.getMethods()) {
          String verb = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST"
              : m.isAnnotationPresent(DELETE.class) ? "DELETE" : m.isAnnotationPresent(PUT.class) ? "PUT" : null;
          if (verb == null) {
            continue;
          }
          Path sub = m.getAnnotation(Path.class);
          String template = "api/" + join(root.value(), sub == null ? "" : sub.value());
          List<String> query = new ArrayList<>();
          for (Parameter p : m.getParameters()) {
            if (p.isAnnotationPresent(QueryParam.class)) {
              query.add(p.getAnnotation(QueryParam.class).value());
            }
          }
          if (!template.equals("api/v1/session") || !verb.equals("DELETE")) { // signing out is not fuzzable
            out.add(new Endpoint(verb, template, query));
          }
        }
      }
    }
    out.sort((a, b) -> a.toString().compareTo(b.toString()));
    return out;
  }

  private static String join(String a, String b) {
    String s = (a + "/" + b).replaceAll("/+", "/");
    s = s.startsWith("/") ? s.substring(1) : s;
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  // ---------------------------------------------------------------------------------- cases

  private record Case(String method, String path, String contentType, byte[] body, String describe) {
    @Override
    public String toString() {
      return method + " " + path + (describe.isEmpty() ? "" : " body " + describe);
    }
  }

  private static final Pattern PARAM = Pattern.compile("\\{(\\w+)(?::[^}]*)?}");

  private Case randomCase(Endpoint e) {
    Matcher m = PARAM.matcher(e.template());
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(path, Matcher.quoteReplacement(URLEncoder.encode(randomId(), StandardCharsets.UTF_8).replace("+", "%20")));
    }
    m.appendTail(path);
    List<String> query = new ArrayList<>();
    for (String q : e.queryParams()) {
      if (random.nextInt(3) > 0) {
        query.add(q + "=" + URLEncoder.encode(randomScalar(), StandardCharsets.UTF_8));
      }
    }
    if (random.nextInt(5) == 0) {
      query.add(URLEncoder.encode(randomString(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(randomScalar(), StandardCharsets.UTF_8));
    }
    String target = path + (query.isEmpty() ? "" : "?" + String.join("&", query));
    if (e.method().equals("GET") || e.method().equals("DELETE")) {
      return new Case(e.method(), target, null, null, "");
    }
    switch (random.nextInt(6)) {
      case 0:
        return new Case(e.method(), target, null, null, "none");
      case 1: {
        String garbage = randomString();
        return new Case(e.method(), target, "application/json", garbage.getBytes(StandardCharsets.UTF_8), "broken JSON");
      }
      case 2: {
        String boundary = "b" + random.nextInt(1000);
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"../../x.png\"\r\n"
            + "Content-Type: image/png\r\n\r\n" + randomString() + (random.nextBoolean() ? "\r\n--" + boundary + "--\r\n" : "");
        return new Case(e.method(), target, "multipart/form-data; boundary=" + boundary, body.getBytes(StandardCharsets.UTF_8),
            "broken multipart");
      }
      case 3: {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        return new Case(e.method(), target, random.nextBoolean() ? "application/json" : "text/plain", bytes, "random bytes");
      }
      default: {
        String body = randomJson(0);
        return new Case(e.method(), target, "application/json", body.getBytes(StandardCharsets.UTF_8), abbreviate(body));
      }
    }
  }

  private String randomId() {
    switch (random.nextInt(7)) {
      case 0: return knownIds.get(random.nextInt(knownIds.size()));
      case 1: return "../../../../etc/passwd";
      case 2: return String.valueOf(random.nextLong());
      case 3: return "j" + "0".repeat(random.nextInt(40));
      default: return randomString();
    }
  }

  private String randomScalar() {
    switch (random.nextInt(9)) {
      case 0: return String.valueOf(random.nextInt(5) - 2);
      case 1: return String.valueOf(random.nextLong());
      case 2: return "99999999999999999999999";
      case 3: return "1e308";
      case 4: return random.nextBoolean() ? "active" : "deleted";
      case 5: return "2026-13-45T25:61:00Z";
      case 6: return "";
      default: return randomString();
    }
  }

  private static final String[] ODD = {"<script>alert(1)</script>", "' OR 1=1 --", "\u0000", "%00", "\uD83D\uDE00",
      "\u202Eevil", "null", "true", "NaN", "{\"a\":", "..\\..\\", "\r\nX-Injected: 1", "\uFFFF", "日本語", "${jndi:ldap://x}"};

  private String randomString() {
    switch (random.nextInt(5)) {
      case 0: return ODD[random.nextInt(ODD.length)];
      case 1: return "x".repeat(random.nextInt(3) == 0 ? 100_000 : 1000);
      case 2: {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(20); i > 0; i--) {
          s.appendCodePoint(1 + random.nextInt(0x2FFF));
        }
        return s.toString();
      }
      default: {
        StringBuilder s = new StringBuilder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
          s.append((char) (' ' + random.nextInt(95)));
        }
        return s.toString();
      }
    }
  }

  /** Random JSON, biased towards the field names the API uses, with wrong types and odd values. */
  private String randomJson(int depth) {
    try {
      return JSON.writeValueAsString(randomNode(depth));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String[] NAMES = {"template", "params", "prompt", "seed", "width", "height", "steps", "cfg",
      "user_id", "name", "admin", "username", "password", "webhook_url", "negative", "image"};

  private JsonNode randomNode(int depth) {
    com.fasterxml.jackson.databind.node.JsonNodeFactory f = JSON.getNodeFactory();
    switch (depth > 3 ? 2 + random.nextInt(4) : random.nextInt(7)) {
      case 0:
      case 1: {
        com.fasterxml.jackson.databind.node.ObjectNode o = f.objectNode();
        for (int i = random.nextInt(6); i > 0; i--) {
          o.set(random.nextInt(4) == 0 ? randomString() : NAMES[random.nextInt(NAMES.length)], randomNode(depth + 1));
        }
        return o;
      }
      case 2: {
        com.fasterxml.jackson.databind.node.ArrayNode a = f.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(randomNode(depth + 1));
        }
        return a;
      }
      case 3: return f.textNode(randomString());
      case 4: return random.nextBoolean() ? f.numberNode(random.nextLong()) : random.nextBoolean() ? f.numberNode(-1) : f.numberNode(Double.MAX_VALUE);
      case 5: return random.nextBoolean() ? f.nullNode() : f.booleanNode(true);
      default: return f.textNode(randomScalar());
    }
  }

  private HttpResponse<String> send(Case c, String caller) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + base.getPort() + base.getPath() + c.path());
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
        .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((caller + ":" + caller + "-pw").getBytes(StandardCharsets.UTF_8)));
    if (c.contentType() != null) {
      request.header("Content-Type", c.contentType());
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
