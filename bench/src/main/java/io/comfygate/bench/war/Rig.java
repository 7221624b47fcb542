package io.comfygate.bench.war;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.examples.launcher.Launcher;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The WAR in an embedded Tomcat (the launcher, no demo, a free loopback port) with its own temp
 * work folder, SQLite file and outputs, talking to the given ComfyUI servers; plus an HTTP/1.1
 * client and the bootstrap admin key to issue API keys with. {@link #close()} stops Tomcat and
 * deletes the folder.
 */
final class Rig implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final Launcher launcher;
  final URI base;
  final HttpClient http;
  private final Path work;
  private final String adminKey;

  private Rig(Launcher launcher, Path work, String adminKey) {
    this.launcher = launcher;
    this.base = launcher.url();
    this.work = work;
    this.adminKey = adminKey;
    this.http = client();
  }

  /** An HTTP/1.1 client (no h2c upgrade attempts) with a bounded connect time. */
  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Deploys the WAR ({@code -Dcomfygate.war}, else {@code webapp/target/comfygate.war} under the
   * current folder) with {@code settings} on top of the rig's own.
   */
  static Rig start(List<URI> comfyUis, Map<String, String> settings, PrintStream out) throws IOException {
    Path work = Files.createTempDirectory("comfygate-warbench-");
    String adminKey = "warbench-admin-" + UUID.randomUUID();
    Launcher.Options options = new Launcher.Options().workDir(work).war(war()).demo(Launcher.Demo.OFF).port(0)
        .setting("COMFYUI_SERVER", comfyUis.stream().map(URI::toString).collect(Collectors.joining(",")))
        .setting("JOB_DB_PATH", work.resolve("db/app.db").toString())
        .setting("OUTPUT_DIR", work.resolve("outputs").toString())
        .setting("BOOTSTRAP_ADMIN_KEY", adminKey)
        .setting("JOB_TIMEOUT_SECONDS", "600")
        .setting("LOG_LEVEL", "WARN")
        .setting("LOG_TO_FILE", "false");
    settings.forEach(options::setting);
    try {
      return new Rig(Launcher.start(options, out), work, adminKey);
    } catch (RuntimeException e) {
      deleteTree(work);
      throw e;
    }
  }

  /** The whole number at {@code args[i]}, else {@code otherwise}. */
  static int arg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }

  static Path war() {
    String property = System.getProperty("comfygate.war", "");
    return Path.of(property.isBlank() ? "webapp/target/comfygate.war" : property).toAbsolutePath();
  }

  /** A new API key of {@code user}, issued with the bootstrap admin key. */
  String issueKey(String user) throws IOException, InterruptedException {
    String body = JSON.createObjectNode().put("user_id", user).put("name", "warbench").toString();
    HttpResponse<String> r = send(post("api/v1/admin/api-keys", adminKey, body));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("issuing a key for " + user + " failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("key").asText();
  }

  /** The JSON answer of an admin GET ({@code api/v1/admin/status}, say), with the bootstrap admin key. */
  JsonNode admin(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = send(get(path, adminKey));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  HttpRequest get(String path, String key) {
    return builder(path, key).GET().build();
  }

  HttpRequest post(String path, String key, String json) {
    return builder(path, key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  private HttpRequest.Builder builder(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT);
    return key == null ? b : b.header("Authorization", "Bearer " + key);
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A tiny txt2img job body: {@code batch} images of 64×64 each. */
  static String jobBody(int batch) {
    return "{\"params\": {\"prompt\": \"warbench " + UUID.randomUUID() + "\", \"width\": 64, \"height\": 64,"
        + " \"batch_size\": " + batch + "}}";
  }

  /** Submits a job; returns its id. */
  String submit(String key, int batch) throws IOException, InterruptedException {
    HttpResponse<String> r = send(post("api/v1/jobs", key, jobBody(batch)));
    if (r.statusCode() != 202) {
      throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("id").asText();
  }

  /** Waits until no job waits or runs; false if some still do after {@code limit}. */
  boolean awaitIdle(Duration limit) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode queue = JSON.readTree(send(get("api/v1/admin/queue", adminKey)).body());
      int left = queue.path("waiting").size();
      for (JsonNode b : queue.path("backends")) {
        left += b.path("jobs").size();
      }
      if (left == 0) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Heap in use after a few full collections, in bytes. */
  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The process's resident set in bytes (Linux {@code VmRSS}); -1 where there is no /proc. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: reported as unknown
    }
    return -1;
  }

  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  @Override
  public void close() {
    try {
      launcher.close();
    } finally {
      deleteTree(work);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp folder left behind is harmless
    }
  }
}
