package io.comfygate.bench.war;

import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durable submits over HTTP next to the cheapest authenticated call, measured by {@code wrk}
 * (Debian's package) at a fixed number of connections: {@code POST api/v1/jobs} against {@code
 * GET api/v1/session}, both with API keys of {@code users} users picked at random per request (the
 * same authentication path). The simulated ComfyUI's worker is held, so jobs only queue: the
 * figure is the REST path plus the engine's submit (validation, the store's admission commit,
 * pick-up). Rounds alternate the order (a b, b a, …), each after a short warm-up, so a drift of
 * the shared machine's speed hits both alike. wrk's own latency percentiles are reported.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.WrkSubmitRates [connections] [seconds] [users] [rounds] [warm-up seconds]}
 */
public final class WrkSubmitRates {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern P50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern ERRORS = Pattern.compile("Socket errors: (.*)");

  private WrkSubmitRates() {}

  record Run(double rate, double p50Ms, double p99Ms, long non2xx, String errors) {}

  public static void main(String[] args) throws Exception {
    int connections = Rig.arg(args, 0, 32);
    int seconds = Rig.arg(args, 1, 10);
    int users = Rig.arg(args, 2, 200);
    int rounds = Rig.arg(args, 3, 2);
    int warmUp = Rig.arg(args, 4, 20);
    PrintStream out = System.out;
    Path scripts = Files.createTempDirectory("comfygate-wrk-");
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(1).stepDelay(Duration.ZERO).start();
        Rig rig = Rig.start(List.of(fake.baseUrl()),
            Map.of("MAX_PER_USER_QUEUE", "1000000", "MAX_PER_USER_CONCURRENT", "1"), out)) {
      fake.hang(true);
      List<String> keys = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        keys.add(rig.issueKey(String.format(Locale.ROOT, "wrk%04d", u)));
      }
      String prefix = rig.base.getPath();
      Map<String, Path> endpoints = new LinkedHashMap<>();
      endpoints.put("GET api/v1/session", script(scripts, "session.lua", keys, "GET", prefix + "api/v1/session", null));
      endpoints.put("POST api/v1/jobs", script(scripts, "submit.lua", keys, "POST", prefix + "api/v1/jobs",
          "{\"params\": {\"prompt\": \"wrk\", \"width\": 64, \"height\": 64, \"batch_size\": 1}}"));
      String target = rig.base.getScheme() + "://" + rig.base.getAuthority();
      out.println("load average at start: " + LiveDelay.loadAverage());
      for (Map.Entry<String, Path> e : endpoints.entrySet()) {
        wrk(target, e.getValue(), connections, warmUp); // warm-up, not reported: the JIT compiles the path
      }
      Map<String, List<Run>> runs = new LinkedHashMap<>();
      List<String> order = new ArrayList<>(endpoints.keySet());
      for (int round = 0; round < rounds; round++) {
        for (String name : order) {
          Run run = wrk(target, endpoints.get(name), connections, seconds);
          out.printf(Locale.ROOT, "  round %d %-20s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %d  %s%n", round + 1,
              name, run.rate(), run.p50Ms(), run.p99Ms(), run.non2xx(), run.errors());
          runs.computeIfAbsent(name, n -> new ArrayList<>()).add(run);
        }
        java.util.Collections.reverse(order);
      }
      List<Run> session = runs.get("GET api/v1/session");
      List<Run> submit = runs.get("POST api/v1/jobs");
      out.printf(Locale.ROOT, "c=%d, %d users, %d s x %d rounds:%n", connections, users, seconds, rounds);
      for (int r = 0; r < rounds; r++) {
        out.printf(Locale.ROOT, "  round %d: submit %.0f/s (p99 %.2f ms) / session %.0f/s (p99 %.2f ms) = %.2f%n", r + 1,
            submit.get(r).rate(), submit.get(r).p99Ms(), session.get(r).rate(), session.get(r).p99Ms(),
            submit.get(r).rate() / session.get(r).rate());
      }
      out.println("load average at end: " + LiveDelay.loadAverage());
      fake.hang(false);
    } finally {
      for (Path p : List.of(scripts.resolve("session.lua"), scripts.resolve("submit.lua"), scripts)) {
        Files.deleteIfExists(p);
      }
    }
    System.exit(0);
  }

  static Path script(Path dir, String name, List<String> keys, String method, String path, String body)
      throws IOException {
    StringBuilder lua = new StringBuilder("local keys = {");
    for (String k : keys) {
      lua.append('"').append(k).append("\",");
    }
    lua.append("}\n");
    lua.append("local body = ").append(body == null ? "nil" : "'" + body + "'").append('\n');
    lua.append("request = function()\n")
        .append("  local h = { [\"Authorization\"] = \"Bearer \" .. keys[math.random(#keys)] }\n")
        .append(body == null ? "" : "  h[\"Content-Type\"] = \"application/json\"\n")
        .append("  return wrk.format(\"").append(method).append("\", \"").append(path).append("\", h, body)\n")
        .append("end\n");
    Path file = dir.resolve(name);
    Files.writeString(file, lua, StandardCharsets.UTF_8);
    return file;
  }

  static Run wrk(String target, Path script, int connections, int seconds) throws Exception {
    Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
        "--timeout", "10s", "-s", script.toString(), target).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("wrk failed:\n" + text);
    }
    Matcher rate = RATE.matcher(text);
    if (!rate.find()) {
      throw new IllegalStateException("no rate in wrk's output:\n" + text);
    }
    Matcher non2xx = NON_2XX.matcher(text);
    Matcher errors = ERRORS.matcher(text);
    return new Run(Double.parseDouble(rate.group(1)), millis(P50, text), millis(P99, text),
        non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors.find() ? "socket errors: " + errors.group(1) : "");
  }

  private static double millis(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no percentile in wrk's output:\n" + text);
    }
    double v = Double.parseDouble(m.group(1));
    switch (m.group(2)) {
      case "us":
        return v / 1000;
      case "s":
        return v * 1000;
      default:
        return v;
    }
  }
}
