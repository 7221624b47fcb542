package io.comfygate.bench.war;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.bench.BenchSupport;
import io.comfygate.bench.Stats;
import io.comfygate.testkit.FakeComfyUi;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Live state events across instances: two WARs on one PostgreSQL schema ({@link RigPair}); A is the
 * one holding the dispatcher lease, B the other. Each user has one {@code api/v1/live} socket on A
 * and one on B (the same API key); jobs are submitted to A and B in turn. For every job and each of
 * its state events ({@code enqueue}, {@code job_start}, {@code job_complete}) the figure is the
 * arrival on B's socket minus the arrival on A's (one nanoTime clock, client and both servers in
 * this JVM): what following the dispatcher's work through the database costs B. Negative when B
 * was first (an {@code enqueue} of a job submitted to B). Events missing on either socket are counted.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.ClusterLiveDelay [users] [jobsPerUser]}
 */
public final class ClusterLiveDelay {
  private static final List<String> EVENTS = List.of("enqueue", "job_start", "job_complete");
  private static final Duration DISPATCHER_WITHIN = Duration.ofSeconds(30);

  private ClusterLiveDelay() {}

  public static void main(String[] args) throws Exception {
    int users = Rig.arg(args, 0, 10);
    int jobsPerUser = Rig.arg(args, 1, 10);
    PrintStream out = System.out;
    out.println(BenchSupport.machine());
    out.println("load average at start: " + BenchSupport.loadAverage());
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(50)).start();
        RigPair pair = RigPair.start(List.of(fake.baseUrl()), Map.of("MAX_PER_USER_QUEUE", String.valueOf(jobsPerUser),
            "MAX_PER_USER_CONCURRENT", "1"), out)) {
      Rig a = pair.dispatcher(DISPATCHER_WITHIN);
      Rig b = pair.other(a);
      out.printf("dispatcher (A): %s; fake ComfyUI: 3 steps of 50 ms; %d users x %d jobs, submitted to A and B in turn%n",
          a == pair.a ? RigPair.A : RigPair.B, users, jobsPerUser);
      List<String> keys = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        keys.add(a.issueKey(LiveDelay.user(u)));
      }
      HttpClient client = Rig.client();
      List<LiveDelay.Received> onA = new ArrayList<>();
      List<LiveDelay.Received> onB = new ArrayList<>();
      List<WebSocket> open = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        open.add(connect(client, a, keys.get(u), LiveDelay.user(u), onA));
        open.add(connect(client, b, keys.get(u), LiveDelay.user(u), onB));
      }
      awaitMessages(onA, onB, 1, Duration.ofSeconds(30)); // every socket's snapshot
      Map<String, Integer> ownerOf = new LinkedHashMap<>();
      for (int j = 0; j < jobsPerUser; j++) {
        for (int u = 0; u < users; u++) {
          ownerOf.put(((j + u) % 2 == 0 ? a : b).submit(keys.get(u), 1), u);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + ownerOf.size());
      List<Map<String, Long>> arrivalsA = new ArrayList<>();
      List<Map<String, Long>> arrivalsB = new ArrayList<>();
      while (true) {
        arrivalsA = arrivals(onA);
        arrivalsB = arrivals(onB);
        if (complete(arrivalsA, ownerOf) && complete(arrivalsB, ownerOf) || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(200);
      }
      Thread.sleep(500); // stragglers
      arrivalsA = arrivals(onA);
      arrivalsB = arrivals(onB);
      open.forEach(WebSocket::abort);
      List<Long> all = new ArrayList<>();
      for (String event : EVENTS) {
        List<Long> delays = new ArrayList<>();
        int missing = 0;
        for (Map.Entry<String, Integer> job : ownerOf.entrySet()) {
          Long ta = arrivalsA.get(job.getValue()).get(job.getKey() + "/" + event);
          Long tb = arrivalsB.get(job.getValue()).get(job.getKey() + "/" + event);
          if (ta == null || tb == null) {
            missing++;
          } else {
            delays.add(tb - ta);
          }
        }
        all.addAll(delays);
        out.printf(Locale.ROOT, "%-13s B - A: %s; missing on A or B: %d%n", event,
            delays.isEmpty() ? "none" : Stats.of(delays).summary(), missing);
      }
      Stats s = Stats.of(all);
      out.printf(Locale.ROOT, "all state events B - A: %s; B first in %d of %d; goal p99 < 100 ms: %s%n", s.summary(),
          all.stream().filter(d -> d < 0).count(), all.size(), s.percentile(99) < 100_000_000L ? "met" : "NOT met");
      out.println("load average at end: " + BenchSupport.loadAverage());
    }
    System.exit(0);
  }

  private static WebSocket connect(HttpClient client, Rig rig, String key, String user, List<LiveDelay.Received> into) {
    LiveDelay.Received r = new LiveDelay.Received(user);
    into.add(r);
    URI live = URI.create("ws" + rig.base.toString().substring(4)).resolve("api/v1/live");
    return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
        .buildAsync(live, r).orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static void awaitMessages(List<LiveDelay.Received> a, List<LiveDelay.Received> b, int n, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (a.stream().anyMatch(r -> r.count.get() < n) || b.stream().anyMatch(r -> r.count.get() < n)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("some sockets got no snapshot in " + limit);
      }
      Thread.sleep(50);
    }
  }

  /** Per socket (index = user): "job id/event" to the arrival of its first such message. */
  private static List<Map<String, Long>> arrivals(List<LiveDelay.Received> sockets) throws java.io.IOException {
    List<Map<String, Long>> result = new ArrayList<>();
    for (LiveDelay.Received s : sockets) {
      Map<String, Long> firsts = new HashMap<>();
      for (LiveDelay.Message m : s.messages) {
        JsonNode json = Rig.JSON.readTree(m.text());
        if (json.path("type").asText().equals("job")) {
          firsts.putIfAbsent(json.path("job").path("id").asText() + "/" + json.path("event").asText(), m.nanos());
        }
      }
      result.add(firsts);
    }
    return result;
  }

  private static boolean complete(List<Map<String, Long>> arrivals, Map<String, Integer> ownerOf) {
    return ownerOf.entrySet().stream().allMatch(j -> arrivals.get(j.getValue()).containsKey(j.getKey() + "/job_complete"));
  }
}
