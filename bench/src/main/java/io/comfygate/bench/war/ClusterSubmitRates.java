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
 * rates summed; SQLite side: one wrk with all the connections. Rounds alternate the order, each side
 * warmed up first. All three servers, wrk and this driver share the machine's cores.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.ClusterSubmitRates [connections] [seconds] [users] [rounds]}
 */
public final class ClusterSubmitRates {
  private static final String BODY = "{\"params\": {\"prompt\": \"wrk\", \"width\": 64, \"height\": 64, \"batch_size\": 1}}";

  private ClusterSubmitRates() {}

  public static void main(String[] args) throws Exception {
    int connections = Rig.arg(args, 0, 32);
    int seconds = Rig.arg(args, 1, 10);
    int users = Rig.arg(args, 2, 200);
    int rounds = Rig.arg(args, 3, 4);
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
      pg(pair, pgScript, connections / 2, 3); // warm-ups, not reported
      WrkSubmitRates.wrk(target(sqlite), sqliteScript, connections, 3);
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        double pgRate = 0;
        WrkSubmitRates.Run lite = null;
        for (int side = 0; side < 2; side++) {
          if ((side + round) % 2 == 0) {
            List<WrkSubmitRates.Run> runs = pg(pair, pgScript, connections / 2, seconds);
            pgRate = runs.get(0).rate() + runs.get(1).rate();
            out.printf(Locale.ROOT, "  round %d PostgreSQL, 2 instances, c=%d each: %.0f + %.0f = %.0f req/s, p99 %.1f / %.1f ms,"
                + " non-2xx %d %s%n", round + 1, connections / 2, runs.get(0).rate(), runs.get(1).rate(), pgRate,
                runs.get(0).p99Ms(), runs.get(1).p99Ms(), runs.get(0).non2xx() + runs.get(1).non2xx(),
                runs.get(0).errors() + runs.get(1).errors());
          } else {
            lite = WrkSubmitRates.wrk(target(sqlite), sqliteScript, connections, seconds);
            out.printf(Locale.ROOT, "  round %d SQLite, 1 instance, c=%d: %.0f req/s, p99 %.1f ms, non-2xx %d %s%n",
                round + 1, connections, lite.rate(), lite.p99Ms(), lite.non2xx(), lite.errors());
          }
        }
        ratios.add(pgRate / lite.rate());
        out.printf(Locale.ROOT, "  round %d: PostgreSQL x2 / SQLite x1 = %.2f%n", round + 1, pgRate / lite.rate());
      }
      List<Double> sorted = ratios.stream().sorted().toList();
      double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
          : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
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
