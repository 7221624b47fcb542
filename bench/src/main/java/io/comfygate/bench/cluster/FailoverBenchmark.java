package io.comfygate.bench.cluster;

import io.comfygate.bench.BenchSupport;
import io.comfygate.bench.FrameTap;
import io.comfygate.bench.Stats;
import io.comfygate.testkit.FakeComfyUi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Failover of the dispatcher: two engine instances, each in a JVM of its own ({@link ClusterChild}),
 * on one PostgreSQL schema and one {@link FakeComfyUi} behind a {@link FrameTap}, with a steady
 * queue of tiny jobs (the benchmark tops it up to {@value #PENDING} unfinished jobs through a live
 * instance). Each kill: find the dispatcher (the {@code leases} table), kill it with SIGKILL, and
 * measure from just before the kill to the first {@code POST /prompt} that reaches the relay after
 * the process is gone (only the survivor can send it), and to the moment the survivor holds the
 * lease; then start a new instance so two run again.
 *
 * <p>Kills run in blocks of {@code block} per lease setting, the settings alternating (5 s, 3 s,
 * 5 s, …), each block with two fresh instances; heartbeat 1 s throughout.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.cluster.FailoverBenchmark
 * [killsPerLease] [leaseSeconds,...] [block]} (defaults 20, 5,3 and 5). PostgreSQL: the tests' server,
 * or {@code -Dcomfygate.test.postgresql}; a fresh schema, dropped at the end. Bounded: every wait
 * has a deadline, and the children stop when the benchmark's JVM ends.
 */
public final class FailoverBenchmark {
  static final int PENDING = 10;
  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Duration POST_WITHIN = Duration.ofSeconds(30);

  private final String database;
  private final Path work;
  private final FrameTap tap;
  private final Connection sql;
  private final List<Instance> live = new ArrayList<>();
  private int started;

  private FailoverBenchmark(String database, Path work, FrameTap tap, Connection sql) {
    this.database = database;
    this.work = work;
    this.tap = tap;
    this.sql = sql;
  }

  /** One kill: from the kill to the survivor holding the lease, and to its first POST. */
  record Kill(long leaseNanos, long postNanos) {}

  public static void main(String[] args) throws Exception {
    int kills = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    List<Integer> leases = args.length > 1 ? List.of(args[1].split(",")).stream().map(Integer::valueOf).toList()
        : List.of(5, 3);
    int block = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    System.out.println(BenchSupport.machine());
    System.out.println("load average at start: " + BenchSupport.loadAverage());
    String server = System.getProperty("comfygate.test.postgresql", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    String schema = "cg_bench_failover_" + UUID.randomUUID().toString().replace("-", "");
    String database = server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    Path work = BenchSupport.tempDir("comfygate-bench-failover");
    BenchSupport.postgresAdmin(server, "CREATE SCHEMA " + schema);
    Map<Integer, List<Kill>> byLease = new LinkedHashMap<>();
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(50)).start();
        FrameTap tap = FrameTap.start(fake.port());
        Connection sql = new org.postgresql.Driver().connect(database, new Properties())) {
      FailoverBenchmark bench = new FailoverBenchmark(database, work, tap, sql);
      System.out.printf("fake ComfyUI: 4 steps of 50 ms per prompt; %d unfinished jobs kept; heartbeat %d s;"
          + " %d kills per lease in blocks of %d%n", PENDING, HEARTBEAT.toSeconds(), kills, block);
      try {
        while (byLease.values().stream().mapToInt(List::size).sum() < kills * leases.size()) {
          for (int lease : leases) {
            List<Kill> done = byLease.computeIfAbsent(lease, l -> new ArrayList<>());
            int n = Math.min(block, kills - done.size());
            if (n > 0) {
              done.addAll(bench.block(Duration.ofSeconds(lease), n));
            }
          }
        }
      } finally {
        bench.stopAll();
      }
    } finally {
      BenchSupport.postgresAdmin(server, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      BenchSupport.deleteTree(work);
    }
    System.out.println();
    byLease.forEach((lease, list) -> {
      System.out.printf(Locale.ROOT, "lease %d s, heartbeat %d s, %d kills:%n", lease, HEARTBEAT.toSeconds(), list.size());
      System.out.println("  kill -> survivor holds the lease: " + Stats.of(list.stream().map(Kill::leaseNanos).toList()).summary());
      Stats post = Stats.of(list.stream().map(Kill::postNanos).toList());
      System.out.println("  kill -> first POST /prompt by the survivor: " + post.summary());
      System.out.printf(Locale.ROOT, "  goal p50 < 3 s: %s; p99 < 6 s: %s%n", post.median() < 3_000_000_000L ? "met" : "NOT met",
          post.percentile(99) < 6_000_000_000L ? "met" : "NOT met");
    });
    System.out.println("load average at end: " + BenchSupport.loadAverage());
    System.exit(0);
  }

  /** Two fresh instances with {@code lease}; {@code kills} kills of the dispatcher, each replaced. */
  private List<Kill> block(Duration lease, int kills) throws Exception {
    stopAll();
    live.add(start(lease));
    live.add(start(lease));
    List<Kill> result = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      Instance dispatcher = awaitDispatcher(lease);
      // Land the kill anywhere in the heartbeat cycle, with the queue running.
      Thread.sleep(1000 + ThreadLocalRandom.current().nextInt((int) HEARTBEAT.toMillis()));
      long before = System.nanoTime();
      dispatcher.kill();
      long dead = System.nanoTime();
      live.remove(dispatcher);
      Kill kill = awaitFirstPost(before, dead, dispatcher.id);
      result.add(kill);
      System.out.printf(Locale.ROOT, "lease %d s, kill %d of %s: lease taken after %s, first POST after %s%n",
          lease.toSeconds(), k + 1, dispatcher.id, Stats.ms(kill.leaseNanos()), Stats.ms(kill.postNanos()));
      live.add(start(lease));
    }
    return result;
  }

  private Kill awaitFirstPost(long before, long dead, String killedId) throws Exception {
    long deadline = dead + POST_WITHIN.toNanos();
    long lease = -1;
    while (System.nanoTime() < deadline) {
      topUp();
      if (lease < 0) {
        String holder = holder();
        if (holder != null && !holder.equals(killedId)) {
          lease = System.nanoTime() - before;
        }
      }
      for (FrameTap.Mark m : tap.marks()) {
        if (m.type().equals(FrameTap.POST) && m.nanos() > dead && lease >= 0) {
          return new Kill(lease, m.nanos() - before);
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no POST /prompt from the survivor within " + POST_WITHIN + " of killing " + killedId);
  }

  /** Waits until a live instance holds the dispatcher lease, topping up the queue meanwhile. */
  private Instance awaitDispatcher(Duration lease) throws Exception {
    long deadline = System.nanoTime() + READY_WITHIN.plus(lease).toNanos();
    while (System.nanoTime() < deadline) {
      topUp();
      String holder = holder();
      for (Instance i : live) {
        if (i.id.equals(holder)) {
          tap.clear();
          return i;
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no live instance took the dispatcher lease; holder " + holder());
  }

  /** Keeps {@value #PENDING} jobs unfinished, submitted through the most recently started instance. */
  private void topUp() throws SQLException, IOException {
    int unfinished = count("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')");
    if (unfinished < PENDING && !live.isEmpty()) {
      live.get(live.size() - 1).send("submit " + (PENDING - unfinished));
    }
  }

  private String holder() throws SQLException {
    try (PreparedStatement s = sql.prepareStatement("SELECT holder FROM leases WHERE name = 'dispatcher'")) {
      s.setQueryTimeout(10);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  private int count(String query) throws SQLException {
    try (PreparedStatement s = sql.prepareStatement(query)) {
      s.setQueryTimeout(10);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  private Instance start(Duration lease) throws Exception {
    String id = "gw-" + lease.toSeconds() + "s-" + (++started);
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("no java command"));
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), ClusterChild.class.getName(),
        database, work.resolve("outputs").toString(), tap.baseUrl().toString(), id,
        String.valueOf(HEARTBEAT.toMillis()), String.valueOf(lease.toMillis()))
        .redirectError(work.resolve(id + ".stderr").toFile()).start();
    Instance instance = new Instance(id, p);
    instance.awaitReady();
    return instance;
  }

  private void stopAll() throws InterruptedException {
    for (Instance i : live) {
      i.stop();
    }
    live.clear();
  }

  /** A child JVM: its id, its commands in, its READY and job lines out. */
  private final class Instance {
    final String id;
    final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    Instance(String id, Process process) {
      this.id = id;
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = process.getOutputStream();
    }

    void awaitReady() throws Exception {
      long deadline = System.nanoTime() + READY_WITHIN.toNanos();
      while (System.nanoTime() < deadline) {
        if (out.ready()) {
          String line = out.readLine();
          if (ClusterChild.READY.equals(line)) {
            drain();
            return;
          }
        } else if (!process.isAlive()) {
          break;
        } else {
          Thread.sleep(20);
        }
      }
      throw new IllegalStateException(id + " did not get ready; see its stderr " + work.resolve(id + ".stderr"));
    }

    /** Reads its job lines in the background, so its pipe never fills. */
    private void drain() {
      Thread t = new Thread(() -> {
        try {
          while (out.readLine() != null) {
            // JOB lines: the database is the count that matters
          }
        } catch (IOException e) {
          // killed
        }
      }, "failover-out-" + id);
      t.setDaemon(true);
      t.start();
    }

    void send(String command) throws IOException {
      in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(id + " still runs 10 s after SIGKILL");
      }
    }

    /** Closes its input: it halts at once. */
    void stop() throws InterruptedException {
      try {
        in.close();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
