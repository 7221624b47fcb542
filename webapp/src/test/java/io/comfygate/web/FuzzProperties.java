package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the deployed WAR, run by {@link PropertyFuzzIT} on jqwik's engine (never on its
 * own: the class name matches neither surefire's nor failsafe's pattern). Both properties draw the
 * shape of what they send from the running application, so a new template parameter, a new GET
 * route or a new query parameter is fuzzed without editing this class:
 * <ul>
 *   <li>the submit body: every template and parameter of {@code GET /api/v1/templates}, each value
 *       valid, at or past its bounds, beyond a double, of the wrong JSON type, deeply nested or
 *       oddly encoded (UTF-16/32, a broken UTF-8 byte, an unknown or empty charset);
 *   <li>every query and path parameter of every GET route of {@code /openapi.json}: its valid
 *       values (enums, ranges) and hostile ones (huge numbers, dates at the ends of what a parser
 *       takes, broken percent-encoding, long and odd text).
 * </ul>
 * As a user and as an administrator. Never a 5xx; every 4xx is JSON with a message and changes
 * nothing (jobs, images, API keys, webhook deliveries, as the admin API reads them before and
 * after, and the stored uploads, which no API lists, as files); a GET changes nothing whatever it answers.
 */
class FuzzProperties {
  /** The deployed WAR, set by {@link PropertyFuzzIT} while it runs these properties. */
  static volatile Target target;

  /** What the properties need of the running application. */
  record Target(URI root, JsonNode templates, JsonNode openApi, List<String> knownIds, java.nio.file.Path uploadsDir) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final List<String> CALLERS = List.of("alice", "root");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // ------------------------------------------------------------------------------ properties

  @Property(shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  void submitBodiesAreNeverA5xxAndRefusalsChangeNothing(@ForAll("callers") String caller, @ForAll("submitBodies") Body body) {
    String before = lastState != null ? lastState : jobsAndKeys();
    lastState = null;
    HttpResponse<String> r = send("POST", "api/v1/jobs", caller, body.contentType(), body.bytes());
    Statistics.label("status").collect(r.statusCode());
    Statistics.label("encoding").collect(body.encoding());
    String what = "POST api/v1/jobs as " + caller + " with " + body;
    assertThat(r.statusCode()).as(what + " -> " + r.body()).isLessThan(500);
    if (r.statusCode() >= 400) {
      JsonNode error = errorShape(r, what);
      if (error.path("error").asText().equals("invalid_params") || error.has("problems")) {
        // Each names a field (which may be "" when that is the unknown name sent) and why.
        error.path("problems").forEach(p -> {
          assertThat(p.path("field").isTextual()).as(what + " -> " + r.body()).isTrue();
          assertThat(p.path("reason").asText()).as(what + " -> " + r.body()).isNotBlank();
        });
      }
    }
    String after = jobsAndKeys();
    if (r.statusCode() >= 400) {
      assertThat(after).as(what + " was refused (" + r.statusCode() + ") but changed the store").isEqualTo(before);
    }
    lastState = after;
  }

  /**
   * The state read after the previous try, which is the state before this one (nothing else acts on
   * the WAR meanwhile): each try reads it once, not twice. Null when unknown (a new property, a
   * failed try).
   */
  private String lastState;

  @BeforeProperty
  void quiet() {
    lastState = null;
    awaitNoActiveJobs();
  }

  @Property(shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  void getRequestsAreNeverA5xxAndChangeNothing(@ForAll("callers") String caller, @ForAll("getRequests") Get get) {
    String before = lastState != null ? lastState : everything();
    lastState = null;
    HttpResponse<String> r = send("GET", get.target(), caller, null, null, get.accept());
    Statistics.label("status").collect(r.statusCode());
    Statistics.label("route").collect(get.route());
    String what = "GET " + get.target() + " as " + caller;
    assertThat(r.statusCode()).as(what + " -> " + abbreviate(r.body())).isLessThan(500);
    if (r.statusCode() >= 400) {
      errorShape(r, what);
    }
    String after = everything();
    assertThat(after).as(what + " (" + r.statusCode() + ") changed the store").isEqualTo(before);
    lastState = after;
  }

  // ------------------------------------------------------------------------------ the submit body

  /** A body as sent: its bytes, the Content-Type, how it was encoded and what it says (for reports). */
  record Body(byte[] bytes, String contentType, String encoding, String json) {
    @Override
    public String toString() {
      return contentType + " " + encoding + " " + abbreviate(json);
    }
  }

  @Provide
  Arbitrary<String> callers() {
    return Arbitraries.of(CALLERS);
  }

  @Provide
  Arbitrary<Body> submitBodies() {
    Arbitrary<String> json = Arbitraries.frequencyOf(
        Tuple.of(12, templatedBody()),
        Tuple.of(1, Arbitraries.of("[1]", "\"text\"", "1e309", "null", "true", "{}", "", "{\"params\": ", "{\"params\": {}} x")),
        Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 3000), Arbitraries.of("[", "{\"a\":"))
            .as((depth, open) -> "{\"params\": {\"prompt\": " + open.repeat(depth) + "1"
                + (open.equals("[") ? "]" : "}").repeat(depth) + "}}")));
    Arbitrary<String> encoding = Arbitraries.frequency(Tuple.of(10, "UTF-8"), Tuple.of(1, "UTF-16"), Tuple.of(1, "UTF-16LE"),
        Tuple.of(1, "UTF-32"), Tuple.of(1, "ISO-8859-1"), Tuple.of(1, "broken UTF-8"));
    Arbitrary<String> contentType = Arbitraries.frequency(Tuple.of(10, "application/json"),
        Tuple.of(1, "application/json; charset=UTF-8"), Tuple.of(1, "application/json; charset=UTF-16"),
        Tuple.of(1, "application/json; charset=ISO-8859-1"), Tuple.of(1, "application/json; charset=x-no-such-charset"),
        Tuple.of(1, "application/json; charset="), Tuple.of(1, "application/json; charset=\""), Tuple.of(1, "text/plain"),
        Tuple.of(1, "application/json; charset=UTF-8; charset=UTF-16"));
    return Combinators.combine(json, encoding, contentType).as((text, enc, type) -> new Body(encode(text, enc), type, enc, text));
  }

  private static byte[] encode(String text, String encoding) {
    if (encoding.equals("broken UTF-8")) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int middle = utf8.length / 2;
      out.write(utf8, 0, middle);
      out.write(0xC3); // a lead byte followed by no continuation byte
      out.write(0x28);
      out.write(0xFF);
      out.write(utf8, middle, utf8.length - middle);
      return out.toByteArray();
    }
    return text.getBytes(Charset.forName(encoding)); // UTF-16 (no LE/BE) writes a byte order mark
  }

  /**
   * {"template": …, "params": {…}, …} for a template the application declares: every value valid
   * (a job may be accepted), all valid but one hostile value, or each value either.
   */
  private Arbitrary<String> templatedBody() {
    List<JsonNode> templates = new ArrayList<>();
    target().templates().forEach(templates::add);
    return Arbitraries.of(templates).flatMap(t -> {
      List<JsonNode> declared = new ArrayList<>();
      t.path("params").forEach(declared::add);
      List<Arbitrary<String>> validEntries = declared.stream().map(p -> valid(p).map(v -> entry(p, v))).toList();
      Arbitrary<List<String>> allValid = Combinators.combine(validEntries).as(List::copyOf);
      Arbitrary<List<String>> oneHostile = Arbitraries.integers().between(0, declared.size() - 1).flatMap(i ->
          Combinators.combine(allValid, hostile(declared.get(i))).as((entries, bad) -> {
            List<String> out = new ArrayList<>(entries);
            out.set(i, entry(declared.get(i), bad));
            return out;
          }));
      Arbitrary<List<String>> each = Combinators.combine(declared.stream().map(p -> Arbitraries.frequencyOf(
          Tuple.of(1, Arbitraries.just("")), Tuple.of(2, valid(p).map(v -> entry(p, v))), Tuple.of(2, hostile(p).map(v -> entry(p, v)))))
          .toList()).as(List::copyOf);
      Arbitrary<String> unknown = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("")),
          Tuple.of(1, Combinators.combine(text(), scalar()).as((k, v) -> quote(k) + ": " + v)));
      Arbitrary<String> params = Combinators.combine(Arbitraries.frequencyOf(Tuple.of(3, allValid), Tuple.of(3, oneHostile), Tuple.of(4, each)),
          unknown).as((entries, extra) -> {
            List<String> all = new ArrayList<>(entries);
            all.add(extra);
            return "{" + joinPresent(all) + "}";
          });
      Arbitrary<String> paramsField = Arbitraries.frequencyOf(Tuple.of(12, params), Tuple.of(1, wrongType()));
      Arbitrary<String> template = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just("")),
          Tuple.of(6, Arbitraries.just("\"template\": " + quote(t.path("name").asText()))),
          Tuple.of(1, text().map(n -> "\"template\": " + quote(n))), Tuple.of(1, wrongType().map(v -> "\"template\": " + v)));
      Arbitrary<String> extra = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")),
          Tuple.of(1, scalar().map(v -> "\"webhook_url\": " + v)),
          Tuple.of(1, Arbitraries.just("\"webhook_url\": \"http://127.0.0.1:1/hook\"")),
          Tuple.of(1, Combinators.combine(text(), scalar()).as((k, v) -> quote(k) + ": " + v)));
      return Combinators.combine(template, paramsField, extra)
          .as((tpl, ps, ex) -> "{" + joinPresent(List.of(tpl, "\"params\": " + ps, ex)) + "}");
    });
  }

  private static String entry(JsonNode p, String value) {
    return quote(p.path("name").asText()) + ": " + value;
  }

  /** A value parameter {@code p} accepts, as its declaration ({@code GET /api/v1/templates}) says. */
  private Arbitrary<String> valid(JsonNode p) {
    switch (p.path("type").asText()) {
      case "int": {
        long min = p.path("min").isNumber() ? p.path("min").asLong() : -1000;
        long max = p.path("max").isNumber() ? p.path("max").asLong() : 1000;
        long step = p.path("multiple_of").isNumber() ? p.path("multiple_of").asLong() : 1;
        return Arbitraries.longs().between(min, max).map(v -> v - Math.floorMod(v, step))
            .map(v -> String.valueOf(v < min ? v + step : v));
      }
      case "float": {
        double min = p.path("min").isNumber() ? p.path("min").asDouble() : -1000;
        double max = p.path("max").isNumber() ? p.path("max").asDouble() : 1000;
        return Arbitraries.doubles().between(min, max).map(String::valueOf);
      }
      case "bool":
        return Arbitraries.of("true", "false");
      case "choice": {
        List<String> choices = new ArrayList<>();
        p.path("choices").forEach(c -> choices.add(quote(c.asText())));
        return Arbitraries.of(choices);
      }
      case "image":
        return Arbitraries.of(target().knownIds()).map(FuzzProperties::quote);
      default: {
        int max = p.path("max_length").isNumber() ? Math.min(60, p.path("max_length").asInt()) : 60;
        return Arbitraries.strings().alpha().numeric().withChars(' ').ofMinLength(1).ofMaxLength(max)
            .filter(v -> !v.isBlank()).map(FuzzProperties::quote);
      }
    }
  }

  /** A value for parameter {@code p} at or past its bounds, of its type but odd, or hostile. */
  private Arbitrary<String> hostile(JsonNode p) {
    List<String> edges = new ArrayList<>();
    for (String bound : List.of("min", "max")) {
      if (p.path(bound).isNumber()) {
        java.math.BigDecimal b = p.path(bound).decimalValue();
        edges.add(b.toPlainString());
        edges.add(b.subtract(java.math.BigDecimal.ONE).toPlainString());
        edges.add(b.add(java.math.BigDecimal.ONE).toPlainString());
        edges.add(b.add(new java.math.BigDecimal("0.5")).toPlainString());
      }
    }
    Arbitrary<String> typed;
    switch (p.path("type").asText()) {
      case "int":
        typed = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf), edges.isEmpty() ? Arbitraries.just("0") : Arbitraries.of(edges));
        break;
      case "float":
        typed = Arbitraries.oneOf(Arbitraries.doubles().map(String::valueOf), edges.isEmpty() ? Arbitraries.just("0.5") : Arbitraries.of(edges));
        break;
      case "image":
        typed = Arbitraries.strings().withChars("0123456789abcdefghjkmnpqrstvwxyz").ofLength(26).map(v -> quote("u" + v));
        break;
      default:
        typed = text().map(FuzzProperties::quote);
    }
    return Arbitraries.frequencyOf(Tuple.of(4, typed), Tuple.of(3, number()), Tuple.of(2, text().map(FuzzProperties::quote)),
        Tuple.of(2, wrongType()));
  }

  /** Numbers as JSON text, where a double reader breaks: beyond its range, below its precision, past 64 bits. */
  private static Arbitrary<String> number() {
    return Arbitraries.oneOf(
        Arbitraries.of("1e309", "-1e309", "1e-400", "-1e-400", "1E+2147483647", "-1E+2147483647", "1e-2147483647", "4.9e-324",
            "1.7976931348623157e308", "99999999999999999999999", "-99999999999999999999999", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "4294967295", "4294967296", "-0", "0.0", "-0.0", "1e2", "2048.0",
            "0.1", "123456789012345678901234567890.5", "1" + "0".repeat(999), "0." + "0".repeat(990) + "1"),
        Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30)).map(String::valueOf),
        Combinators.combine(Arbitraries.integers().between(-9, 9), Arbitraries.integers().between(-100_000, 100_000))
            .as((m, e) -> m + "e" + e));
  }

  /** A value of a JSON type no parameter takes, or nested deeper than a reader allows. */
  private static Arbitrary<String> wrongType() {
    return Arbitraries.oneOf(Arbitraries.of("null", "true", "[]", "{}", "[1, 2]", "{\"a\": 1}", "[[[[[[[[]]]]]]]]"),
        Arbitraries.integers().between(1, 2000).map(depth -> "[".repeat(depth) + "]".repeat(depth)));
  }

  private static Arbitrary<String> scalar() {
    return Arbitraries.oneOf(number(), wrongType(), text().map(FuzzProperties::quote));
  }

  /** Text that is long, empty, blank, unicode, lone surrogates, NUL and control characters, or injection-shaped. */
  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "\u0000", "a\u0000b", "\uD800", "\uDFFF", "\uD83D\uDE00", "\u202Eevil", "<script>alert(1)</script>",
            "' OR 1=1 --", "../../../../etc/passwd", "${jndi:ldap://127.0.0.1/x}", "\r\nX-Injected: 1", "\uFEFF", "日本語", "null"),
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.integers().between(1990, 2010).map("x"::repeat),
        Arbitraries.of(100_000).map("y"::repeat));
  }

  // ------------------------------------------------------------------------------ GET routes

  /** One GET request: the route as documented and the target with its path and query filled in. */
  record Get(String route, String target, String accept) {
    @Override
    public String toString() {
      return target + (accept == null ? "" : " (Accept: " + accept + ")");
    }
  }

  @Provide
  Arbitrary<Get> getRequests() {
    List<Arbitrary<Get>> routes = new ArrayList<>();
    String server = target().openApi().path("servers").path(0).path("url").asText("");
    for (Map.Entry<String, JsonNode> path : target().openApi().path("paths").properties()) {
      JsonNode get = path.getValue().path("get");
      if (get.isMissingNode()) {
        continue;
      }
      List<JsonNode> parameters = new ArrayList<>();
      get.path("parameters").forEach(parameters::add);
      path.getValue().path("parameters").forEach(parameters::add);
      String route = path.getKey();
      List<Arbitrary<String>> parts = new ArrayList<>();
      for (JsonNode parameter : parameters) {
        String name = parameter.path("name").asText();
        if (parameter.path("in").asText().equals("query")) {
          parts.add(Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")),
              Tuple.of(3, queryValue(parameter.path("schema")).map(v -> name + "=" + v))));
        }
      }
      parts.add(Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("")),
          Tuple.of(1, Combinators.combine(text(), text()).as((k, v) -> encoded(k) + "=" + encoded(v)))));
      Arbitrary<String> query = Combinators.combine(parts).as(FuzzProperties::joinQuery);
      Arbitrary<String> pathFilled = pathFilled(route, parameters);
      routes.add(Combinators.combine(pathFilled, query, accept())
          .as((p, q, a) -> new Get(route, relative(p, server) + (q.isEmpty() ? "" : "?" + q), a.isEmpty() ? null : a)));
    }
    assertThat(routes).as("GET routes in /openapi.json").hasSizeGreaterThan(8);
    return Arbitraries.oneOf(routes);
  }

  private static Arbitrary<String> accept() {
    return Arbitraries.frequency(Tuple.of(8, ""), Tuple.of(1, "application/json"), Tuple.of(1, "*/*"), Tuple.of(1, "text/html"),
        Tuple.of(1, "image/png"), Tuple.of(1, "a/b/c"), Tuple.of(1, "application/json;q=x"), Tuple.of(1, "application/json; charset=\""));
  }

  /** The route with each {name} replaced by a known id, a near miss or hostile text (percent-encoded). */
  private Arbitrary<String> pathFilled(String route, List<JsonNode> parameters) {
    List<String> names = parameters.stream().filter(p -> p.path("in").asText().equals("path")).map(p -> p.path("name").asText()).toList();
    Arbitrary<String> out = Arbitraries.just(route);
    for (String name : names) {
      Arbitrary<String> id = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(target().knownIds())),
          Tuple.of(2, text().map(FuzzProperties::encoded)), Tuple.of(1, number()),
          Tuple.of(1, Arbitraries.of("%2e%2e", "..", "%00", "%C3%28", "%FF%FE", "%2F", "%5C", "%3B", ";x")));
      out = Combinators.combine(out, id).as((r, v) -> r.replace("{" + name + "}", v.isEmpty() ? "x" : v));
    }
    return out;
  }

  /** A value for a query parameter of {@code schema}: its documented values, its edges, or hostile text. */
  private static Arbitrary<String> queryValue(JsonNode schema) {
    List<String> valid = new ArrayList<>();
    schema.path("enum").forEach(e -> valid.add(e.asText()));
    for (String bound : List.of("minimum", "maximum")) {
      if (schema.path(bound).isNumber()) {
        long b = schema.path(bound).asLong();
        valid.addAll(List.of(String.valueOf(b), String.valueOf(b - 1), String.valueOf(b + 1)));
      }
    }
    Arbitrary<String> documented = valid.isEmpty() ? Arbitraries.of("1", "2", "active", "2026-01-01") : Arbitraries.of(valid);
    Arbitrary<String> dates = Arbitraries.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z",
        "0000-01-01", "9999-12-31", "2026-13-45T25:61:00Z", "2026-02-30", "2026-11-26T10:00:00+25:00", "1970-01-01T00:00:00Z");
    return Arbitraries.frequencyOf(Tuple.of(3, documented.map(FuzzProperties::encoded)), Tuple.of(2, number().map(FuzzProperties::encoded)),
        Tuple.of(1, dates.map(FuzzProperties::encoded)), Tuple.of(2, text().filter(t -> t.length() < 5000).map(FuzzProperties::encoded)),
        Tuple.of(1, Arbitraries.of("%C3%28", "%FF%FE", "%00", "a+b", "%2B1", "%EF%BF%BF", "%ED%A0%80", "a%26b%3Dc")),
        Tuple.of(1, Arbitraries.of("21474836", "2147483647", "2147483648", "99999999999999999999", "1e309", "-1e309", "NaN", "Infinity")));
  }

  private static String relative(String route, String server) {
    String path = route.startsWith(server + "/") ? route.substring(server.length()) : route;
    return path.startsWith("/") ? path.substring(1) : path;
  }

  private static String joinQuery(List<String> parts) {
    return parts.stream().filter(s -> !s.isEmpty()).collect(Collectors.joining("&"));
  }

  private static String joinPresent(List<String> parts) {
    return parts.stream().filter(s -> !s.isEmpty()).collect(Collectors.joining(", "));
  }

  private static String encoded(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    try {
      return ItHttp.JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------------------ HTTP and state

  private static Target target() {
    Target t = target;
    if (t == null) {
      throw new IllegalStateException("FuzzProperties runs only from PropertyFuzzIT, which deploys the WAR");
    }
    return t;
  }

  private HttpResponse<String> send(String method, String path, String caller, String contentType, byte[] body) {
    return send(method, path, caller, contentType, body, null);
  }

  private HttpResponse<String> send(String method, String path, String caller, String contentType, byte[] body, String accept) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target().root() + path)).timeout(TIMEOUT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Authorization", ItHttp.basic(caller));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (accept != null) {
      request.header("Accept", accept);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + abbreviate(path) + " as " + caller + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * A 4xx: the application's JSON error (a code and a message), or Tomcat's own refusal of a request
   * it will not hand to any application (a path that is not UTF-8 once decoded, an encoded slash),
   * which the Host's JsonErrorReportValve writes as JSON with the status (deploy/tomcat does the same).
   */
  private static JsonNode errorShape(HttpResponse<String> r, String what) {
    JsonNode body;
    try {
      body = ItHttp.JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(what + " -> a " + r.statusCode() + " that is not JSON: " + abbreviate(r.body()), e);
    }
    String shown = what + " -> " + r.statusCode() + " " + abbreviate(r.body());
    assertThat(body).as(shown).isNotNull();
    if (body.has("type") && !body.has("error")) {
      assertThat(body.path("status").asInt()).as("Tomcat's refusal: " + shown).isEqualTo(r.statusCode());
      assertThat(r.body()).as(shown).doesNotContain("Tomcat");
    } else {
      assertThat(body.path("error").asText()).as(shown).isNotBlank();
      assertThat(body.path("message").asText()).as(shown).isNotBlank();
    }
    return body;
  }

  private JsonNode admin(String path) {
    return json(send("GET", path, "root", null, null));
  }

  private static JsonNode json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.uri() + ": " + abbreviate(r.body())).isEqualTo(200);
    try {
      return ItHttp.JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Each caller's number of jobs, and the API keys: what a refused submit must leave alone. */
  private String jobsAndKeys() {
    StringBuilder s = new StringBuilder();
    for (String caller : CALLERS) {
      s.append(caller).append(' ').append(json(send("GET", "api/v1/jobs?size=1", caller, null, null)).path("total").asLong()).append("; ");
    }
    return s.append(keys()).append("; ").append(uploads()).toString();
  }

  /** The stored uploads: no API lists them, so their files in the deployment's OUTPUT_DIR/uploads. */
  private String uploads() {
    java.nio.file.Path dir = target().uploadsDir();
    if (!java.nio.file.Files.isDirectory(dir)) {
      return "uploads 0";
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      return "uploads " + files.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String keys() {
    StringBuilder s = new StringBuilder("keys ");
    admin("api/v1/admin/api-keys").path("items")
        .forEach(k -> s.append(k.path("revoked_at").isNull() || k.path("revoked_at").isMissingNode() ? 'a' : 'r'));
    return s.toString();
  }

  /** Jobs (each caller's, with their states), images (trash too), API keys and webhook deliveries. */
  private String everything() {
    StringBuilder s = new StringBuilder();
    for (String caller : CALLERS) {
      JsonNode jobs = json(send("GET", "api/v1/jobs?size=100", caller, null, null));
      s.append(caller).append(' ').append(jobs.path("total").asLong()).append(' ');
      jobs.path("items").forEach(j -> s.append(j.path("state").asText().charAt(0)));
      s.append("; ");
    }
    JsonNode images = admin("api/v1/admin/images?include=all&size=100");
    s.append("images ").append(images.path("total").asLong()).append(' ');
    images.path("items").forEach(i -> s.append(i.path("deleted_at").isNull() || i.path("deleted_at").isMissingNode() ? 'a' : 'd'));
    s.append("; ").append(keys()).append("; ").append(uploads());
    s.append("; deliveries ").append(admin("api/v1/admin/webhooks?size=1").path("total").asLong());
    return s.toString();
  }

  /** Jobs accepted by the submit property run on; a GET's before and after must not straddle one finishing. */
  private void awaitNoActiveJobs() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      boolean active = false;
      for (String caller : CALLERS) {
        String body = send("GET", "api/v1/jobs?size=100", caller, null, null).body();
        active |= body.contains("\"state\":\"queued\"") || body.contains("\"state\":\"running\"");
      }
      if (!active) {
        return;
      }
      assertThat(System.nanoTime()).as("jobs still queued or running after 60 s").isLessThan(deadline);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
  }
}
