package io.comfygate.bench.war;

import io.comfygate.bench.BenchSupport;
import io.comfygate.testkit.FakeComfyUi;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Durable submits over HTTP, two instances on one PostgreSQL schema against one instance on SQLite,
 * measured by {@code wrk} as in {@link WrkSubmitRates}: {@code POST api/v1/jobs} with the API keys of
 * {@code users} users picked at random per request, the simulated ComfyUI's worker held so jobs only
 * queue. PostgreSQL side: a wrk with half the connections on each instance at the same time, their
 * rates summed; SQLite side: one wrk with all the connections; and, to tell the database from the
 * second instance, one wrk with all the connections on one of the PostgreSQL instances. Rounds rotate
 * the order, each side warmed up first. All three servers, wrk and this driver share the machine's cores.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.ClusterSubmitRates [connections] [seconds] [users] [rounds] [warm-up seconds]}
 */
public final class ClusterSubmitRates {
  private static final String BODY = "{\"params\": {\"prompt\": \"wrk\", \"width\": 64, \"height\": 64, \"batch_size\": 1}}";

  private ClusterSubmitRates() {}

  public static void main(String[] args) throws Exception {
    int connections = Rig.arg(args, 0, 32);
    int seconds = Rig.arg(args, 1, 10);
    int users = Rig.arg(args, 2, 200);
    int rounds = Rig.arg(args, 3, 3);
    int warmUp = Rig.arg(args, 4, 20);
    PrintStream out = System.out;
    out.println(BenchSupport.machine());
    Path scripts = BenchSupport.tempDir("comfygate-wrk-cluster");
    Map<String, String> settings = Map.of("MAX_PER_USER_QUEUE", "1000000", "MAX_PER_USER_CONCURRENT", "1");
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(1).stepDelay(Duration.ZERO).start();
        RigPair pair = RigPair.start(List.of(fake.baseUrl()), settings, out);
        Rig sqlite = Rig.start(List.of(fake.baseUrl()), settings, out)) {
      fake.hang(true);
      List<String> pgKeys = new ArrayList<>();
      List<String> sqliteKeys = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        String user = String.format(Locale.ROOT, "wrk%04d", u);
        pgKeys.add(pair.a.issueKey(user));
        sqliteKeys.add(sqlite.issueKey(user));
      }
      Path pgScript = WrkSubmitRates.script(scripts, "pg.lua", pgKeys, "POST", pair.a.base.getPath() + "api/v1/jobs", BODY);
      Path sqliteScript = WrkSubmitRates.script(scripts, "sqlite.lua", sqliteKeys, "POST", sqlite.base.getPath() + "api/v1/jobs", BODY);
      out.println("load average at start: " + BenchSupport.loadAverage());
      pg(pair, pgScript, connections / 2, warmUp); // warm-ups, not reported: the JIT compiles the path
      WrkSubmitRates.wrk(target(sqlite), sqliteScript, connections, warmUp);
      List<Double> ratios = new ArrayList<>();
      List<Double> onePg = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        double[] rates = new double[3]; // PostgreSQL x2, SQLite x1, PostgreSQL x1
        for (int k = 0; k < 3; k++) {
          int side = (k + round) % 3; // each side first in turn
          if (side == 0) {
            List<WrkSubmitRates.Run> runs = pg(pair, pgScript, connections / 2, seconds);
            rates[0] = runs.get(0).rate() + runs.get(1).rate();
            out.printf(Locale.ROOT, "  round %d PostgreSQL, 2 instances, c=%d each: %.0f + %.0f = %.0f req/s, p99 %.1f / %.1f ms,"
                + " non-2xx %d %s%n", round + 1, connections / 2, runs.get(0).rate(), runs.get(1).rate(), rates[0],
                runs.get(0).p99Ms(), runs.get(1).p99Ms(), runs.get(0).non2xx() + runs.get(1).non2xx(),
                runs.get(0).errors() + runs.get(1).errors());
          } else {
            Rig rig = side == 1 ? sqlite : pair.a;
            WrkSubmitRates.Run run = WrkSubmitRates.wrk(target(rig), side == 1 ? sqliteScript : pgScript, connections, seconds);
            rates[side] = run.rate();
            out.printf(Locale.ROOT, "  round %d %s, 1 instance, c=%d: %.0f req/s, p99 %.1f ms, non-2xx %d %s%n", round + 1,
                side == 1 ? "SQLite" : "PostgreSQL", connections, run.rate(), run.p99Ms(), run.non2xx(), run.errors());
          }
        }
        ratios.add(rates[0] / rates[1]);
        onePg.add(rates[2] / rates[1]);
        out.printf(Locale.ROOT, "  round %d: PostgreSQL x2 / SQLite x1 = %.2f; PostgreSQL x1 / SQLite x1 = %.2f%n", round + 1,
            rates[0] / rates[1], rates[2] / rates[1]);
      }
      out.printf(Locale.ROOT, "PostgreSQL x1 / SQLite x1: median %.2f%n", median(onePg));
      double median = median(ratios);
      out.printf(Locale.ROOT, "c=%d, %d users, %d s x %d rounds: ratio per round %s, median %.2f (goal >= 1.5: %s)%n",
          connections, users, seconds, rounds, ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList(),
          median, median >= 1.5 ? "met" : "NOT met");
      out.println("load average at end: " + BenchSupport.loadAverage());
      fake.hang(false);
    } finally {
      BenchSupport.deleteTree(scripts);
    }
    System.exit(0);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
  }

  /** A wrk on each instance at the same time. */
  private static List<WrkSubmitRates.Run> pg(RigPair pair, Path script, int connections, int seconds) {
    List<CompletableFuture<WrkSubmitRates.Run>> runs = new ArrayList<>();
    for (Rig rig : List.of(pair.a, pair.b)) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          return WrkSubmitRates.wrk(target(rig), script, connections, seconds);
        } catch (Exception e) {
          throw new IllegalStateException("wrk on " + rig.base + " failed", e);
        }
      }));
    }
    return runs.stream().map(CompletableFuture::join).toList();
  }

  private static String target(Rig rig) {
    return rig.base.getScheme() + "://" + rig.base.getAuthority();
  }
}
