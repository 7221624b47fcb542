package io.comfygate.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.bench.BenchSupport;
import io.comfygate.examples.launcher.Launcher;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many users submitting in bursts for a bounded time against the WAR (embedded Tomcat through the
 * launcher) with two simulated ComfyUI backends, then an audit of what happened ({@link Audit}):
 * status codes, per-user limits read back from the store and from ComfyUI's own history, and
 * fairness in start order.
 *
 * <p>Each user has an API key (issued with the bootstrap admin key) and loops: a burst of 1 to 6
 * submits sent at once, a pause of 50 to 400 ms, again, until the time is up. A sampler reads the
 * admin queue view every 200 ms and checks the limits live as well.
 *
 * <p>With several instances ({@link Config#onInstances}) the WAR runs that many times, each in a
 * Tomcat of its own, on one PostgreSQL schema and one output folder, and every request (submits,
 * the sampler's) goes to the next instance in turn: the limits must hold whichever instance a
 * request reaches.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.load.BurstLoad [users] [seconds] [instances]}
 * (instances above 1 use the PostgreSQL of the tests, or the one {@code -Dcomfygate.test.postgresql} names)
 */
public final class BurstLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);

  /**
   * What to run.
   *
   * @param postgresql null for one instance on a SQLite file, else the PostgreSQL server (a URL without a
   *     schema) on which {@code instances} share a fresh schema
   */
  public record Config(int users, Duration duration, int maxQueue, int maxConcurrent, int instances, String postgresql) {
    public Config(int users, Duration duration, int maxQueue, int maxConcurrent) {
      this(users, duration, maxQueue, maxConcurrent, 1, null);
    }

    /** The same load spread over {@code n} instances sharing a schema on {@code server}. */
    public Config onInstances(int n, String server) {
      return new Config(users, duration, maxQueue, maxConcurrent, n, server);
    }
  }

  /** The PostgreSQL the tests use, unless {@code -Dcomfygate.test.postgresql} names another. */
  public static String testPostgresql() {
    return System.getProperty("comfygate.test.postgresql", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  }

  /** What happened. */
  public record Result(Map<Integer, Long> statuses, List<String> serverErrors, List<String> liveViolations,
      int liveSamples, Audit audit) {
    public long count(int status) {
      return statuses.getOrDefault(status, 0L);
    }

    public long serverErrorCount() {
      return statuses.entrySet().stream().filter(e -> e.getKey() >= 500 || e.getKey() < 100)
          .mapToLong(Map.Entry::getValue).sum();
    }
  }

  private final Config config;
  private final PrintStream out;
  private final HttpClient http;
  private final ExecutorService httpThreads = Executors.newFixedThreadPool(8, r -> daemon(r, "load-http"));
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());
  private final List<String> liveViolations = Collections.synchronizedList(new ArrayList<>());
  private final LongAdder liveSamples = new LongAdder();
  private List<URI> bases;
  private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
  private String adminKey;

  private BurstLoad(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(httpThreads).build();
  }

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Config config = new Config(users, Duration.ofSeconds(seconds), 3, 1);
    Result r = run(instances > 1 ? config.onInstances(instances, testPostgresql()) : config, System.out);
    System.out.println(report(r));
    System.exit(r.serverErrorCount() == 0 && r.audit().violations().isEmpty() && r.liveViolations().isEmpty() ? 0 : 1);
  }

  public static Result run(Config config, PrintStream out) throws Exception {
    return new BurstLoad(config, out).run();
  }

  private Result run() throws Exception {
    Path work = Files.createTempDirectory("comfygate-burst-");
    adminKey = "load-admin-" + UUID.randomUUID();
    String schema = "cg_burst_" + UUID.randomUUID().toString().replace("-", "");
    String database = config.postgresql() == null ? "jdbc:sqlite:" + work.resolve("db/app.db")
        : config.postgresql() + (config.postgresql().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    if (config.postgresql() != null) {
      BenchSupport.postgresAdmin(config.postgresql(), "CREATE SCHEMA " + schema);
    }
    List<Launcher> launchers = new ArrayList<>();
    try (FakeComfyUi gpu1 = FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(10)).start();
        FakeComfyUi gpu2 = FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(10)).start()) {
      for (int i = 0; i < config.instances(); i++) {
        Launcher.Options options = new Launcher.Options().workDir(work.resolve("instance-" + i)).demo(Launcher.Demo.OFF).port(0)
            .setting("COMFYUI_SERVER", gpu1.baseUrl() + "," + gpu2.baseUrl())
            .setting("MAX_PER_USER_QUEUE", String.valueOf(config.maxQueue()))
            .setting("MAX_PER_USER_CONCURRENT", String.valueOf(config.maxConcurrent()))
            .setting("JOB_TIMEOUT_SECONDS", "60")
            .setting("JOB_DB_PATH", database.startsWith("jdbc:sqlite:") ? database.substring("jdbc:sqlite:".length()) : database)
            .setting("OUTPUT_DIR", work.resolve("outputs").toString())
            .setting("BOOTSTRAP_ADMIN_KEY", adminKey)
            .setting("HEALTH_CHECK_INTERVAL_SECONDS", "2")
            .setting("LOG_LEVEL", "WARN");
        launchers.add(Launcher.start(options, out));
      }
      bases = launchers.stream().map(Launcher::url).toList();
      List<String> keys = issueKeys();
      load(keys);
      drain();
      Map<String, long[]> ran = new TreeMap<>();
      ran.putAll(ComfyHistory.executions(http, gpu1.baseUrl()));
      ran.putAll(ComfyHistory.executions(http, gpu2.baseUrl()));
      Audit audit = Audit.of(database, ran, config.maxQueue(), config.maxConcurrent());
      Map<Integer, Long> counts = new TreeMap<>();
      statuses.forEach((k, v) -> counts.put(k, v.sum()));
      return new Result(counts, List.copyOf(serverErrors), List.copyOf(liveViolations), liveSamples.intValue(), audit);
    } finally {
      for (Launcher launcher : launchers) {
        launcher.close();
      }
      httpThreads.shutdownNow();
      if (config.postgresql() != null) {
        BenchSupport.postgresAdmin(config.postgresql(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      BenchSupport.deleteTree(work);
    }
  }

  private List<String> issueKeys() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int u = 0; u < config.users(); u++) {
      String body = "{\"user_id\": \"" + user(u) + "\", \"name\": \"load\"}";
      HttpResponse<String> r = send(request("api/v1/admin/api-keys", adminKey)
          .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("issuing a key failed: " + r.statusCode() + " " + r.body());
      }
      keys.add(JSON.readTree(r.body()).path("key").asText());
    }
    return keys;
  }

  static String user(int u) {
    return String.format("user%03d", u);
  }

  private void load(List<String> keys) throws InterruptedException {
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> daemon(r, "load-timer"));
    long end = System.nanoTime() + config.duration().toNanos();
    List<CompletableFuture<Void>> users = new ArrayList<>();
    for (String key : keys) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      users.add(done);
      timers.schedule(() -> burst(key, end, timers, done), ThreadLocalRandom.current().nextInt(200), TimeUnit.MILLISECONDS);
    }
    Thread sampler = new Thread(() -> {
      while (System.nanoTime() < end) {
        sampleQueue();
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "load-queue-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try {
      CompletableFuture.allOf(users.toArray(CompletableFuture[]::new))
          .get(config.duration().plus(REQUEST_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the load did not finish in time", e);
    } finally {
      sampler.join(REQUEST_TIMEOUT.toMillis());
      timers.shutdownNow();
      timers.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** One burst of a user, then the next one after a pause, until {@code end}. */
  private void burst(String key, long end, ScheduledExecutorService timers, CompletableFuture<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete(null);
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int i = 1 + random.nextInt(6); i > 0; i--) {
      String body = "{\"params\": {\"prompt\": \"burst " + random.nextInt(1_000_000) + "\", \"width\": 64, \"height\": 64, \"steps\": 3}}";
      sent.add(http.sendAsync(request("api/v1/jobs", key).POST(HttpRequest.BodyPublishers.ofString(body))
              .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString())
          .handle((r, e) -> {
            int status = e != null ? 0 : r.statusCode();
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            if (status >= 500 || status == 0) {
              serverErrors.add(status + " " + (e != null ? e.toString() : r.body()));
            }
            return null;
          }));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
      try {
        timers.schedule(() -> burst(key, end, timers, done), 50 + random.nextInt(350), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        done.complete(null);
      }
    });
  }

  /**
   * The admin queue view, checked live: waiting and dispatched jobs per user within the limits. With
   * several instances, the dispatcher's view: a follower's copy runs a few milliseconds behind, and
   * may still show as waiting a job the dispatcher is handing over.
   */
  private void sampleQueue() {
    try {
      HttpResponse<String> r = send(HttpRequest.newBuilder(dispatcher().resolve("api/v1/admin/queue"))
          .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + adminKey).GET().build());
      if (r.statusCode() != 200) {
        liveViolations.add("the admin queue view answered " + r.statusCode() + ": " + r.body());
        return;
      }
      JsonNode queue = JSON.readTree(r.body());
      Map<String, Integer> waiting = new TreeMap<>();
      queue.path("waiting").forEach(j -> waiting.merge(j.path("user_id").asText(), 1, Integer::sum));
      Map<String, Integer> dispatched = new TreeMap<>();
      queue.path("backends").forEach(b -> b.path("jobs").forEach(j -> dispatched.merge(j.path("user_id").asText(), 1, Integer::sum)));
      waiting.forEach((u, n) -> {
        if (n > config.maxQueue()) {
          liveViolations.add(u + " had " + n + " jobs waiting (limit " + config.maxQueue() + ")");
        }
      });
      dispatched.forEach((u, n) -> {
        if (n > config.maxConcurrent()) {
          liveViolations.add(u + " had " + n + " jobs on backends (limit " + config.maxConcurrent() + ")");
        }
      });
      liveSamples.increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      liveViolations.add("the admin queue view failed: " + e);
    }
  }

  /** Waits until no job waits or runs any more. */
  private void drain() throws Exception {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      int left = 0;
      for (int i = 0; i < bases.size(); i++) { // every instance's view
        JsonNode queue = JSON.readTree(send(request("api/v1/admin/queue", adminKey).GET().build()).body());
        left += queue.path("waiting").size();
        for (JsonNode b : queue.path("backends")) {
          left += b.path("jobs").size();
        }
      }
      if (left == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("jobs still active " + DRAIN_LIMIT.toSeconds() + " s after the load");
  }

  /** The instance that dispatches, as the first one's admin status names it. */
  private URI dispatcher() throws IOException, InterruptedException {
    if (bases.size() == 1) {
      return bases.get(0);
    }
    for (URI base : bases) {
      JsonNode cluster = JSON.readTree(send(HttpRequest.newBuilder(base.resolve("api/v1/admin/status"))
          .timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + adminKey).GET().build()).body()).path("cluster");
      if (cluster.path("self").asText().equals(cluster.path("dispatcher").asText())) {
        return base;
      }
    }
    throw new IOException("no instance dispatches");
  }

  /** A request to the next instance in turn. */
  private HttpRequest.Builder request(String path, String key) {
    URI base = bases.get(Math.floorMod(next.getAndIncrement(), bases.size()));
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + key);
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The figures, as printed by {@link #main} and copied into RELIABILITY.md. */
  public static String report(Result r) {
    Audit a = r.audit();
    StringBuilder s = new StringBuilder();
    s.append("responses by status: ").append(r.statuses()).append('\n');
    s.append("5xx or no response: ").append(r.serverErrorCount()).append(r.serverErrors().isEmpty() ? "" : " " + r.serverErrors().subList(0, Math.min(5, r.serverErrors().size()))).append('\n');
    s.append("jobs stored: ").append(a.jobs()).append(", by state ").append(a.byState()).append('\n');
    s.append("limit checks from the store and ComfyUI's history: ").append(a.violations().isEmpty() ? "no violation" : a.violations()).append('\n');
    s.append("live queue samples: ").append(r.liveSamples()).append(", ").append(r.liveViolations().isEmpty() ? "no violation" : r.liveViolations()).append('\n');
    s.append(a.fairness()).append('\n');
    return s.toString();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
