package io.comfygate.bench.war;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sustained REST rates against the WAR in Tomcat, closed loop: {@code threads} client threads
 * each send one request, wait for its answer, and send the next, for a fixed time per endpoint.
 * Every endpoint is measured in the same run next to two trivial ones of the same WAR on the same
 * Tomcat (a static file, and {@code GET api/v1/session}, the cheapest authenticated JAX-RS call),
 * and reported as a ratio to them.
 *
 * <p>Setup: one simulated ComfyUI, fast (1 step, no delay), runs {@code galleryJobs} jobs of 4
 * images each for the user {@code gallery}. Then the fake's worker is held ({@code hang}), so the
 * submit phase measures the REST and engine path only: jobs are stored and wait (a quota of a
 * million per user, submits spread over {@code users} users, each with an API key).
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.RestRates [threads] [seconds] [galleryJobs] [users] [rounds]}
 * ({@code seconds} per endpoint and round; rounds go in alternating order).
 */
public final class RestRates {
  private static final Duration WARM_UP = Duration.ofSeconds(3);
  private static final Duration SETTLE = Duration.ofMillis(500);

  /** One endpoint's phase: answers counted, failures, and the latencies of the answered ones. */
  record Phase(String name, long ok, long failed, double seconds, List<Long> nanos, String firstFailure) {
    double rate() {
      return ok / seconds;
    }

    Latencies latencies() {
      return Latencies.of(nanos);
    }

    Phase plus(Phase other) {
      List<Long> both = new ArrayList<>(nanos);
      both.addAll(other.nanos);
      return new Phase(name, ok + other.ok, failed + other.failed, seconds + other.seconds, both,
          firstFailure != null ? firstFailure : other.firstFailure);
    }
  }

  /** The request a client thread sends next. */
  interface Requests {
    HttpRequest next(int thread);
  }

  private RestRates() {}

  public static void main(String[] args) throws Exception {
    int threads = Rig.arg(args, 0, 8);
    int seconds = Rig.arg(args, 1, 4);
    int galleryJobs = Rig.arg(args, 2, 100);
    int users = Rig.arg(args, 3, 200);
    int rounds = Rig.arg(args, 4, 4);
    PrintStream out = System.out;
    Duration each = Duration.ofSeconds(seconds);
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(1).stepDelay(Duration.ZERO).start();
        Rig rig = Rig.start(List.of(fake.baseUrl()),
            Map.of("MAX_PER_USER_QUEUE", "1000000", "MAX_PER_USER_CONCURRENT", "2"), out)) {
      String galleryKey = rig.issueKey("gallery");
      List<String> jobIds = new ArrayList<>();
      for (int i = 0; i < galleryJobs; i++) {
        jobIds.add(rig.submit(galleryKey, 4));
      }
      if (!rig.awaitIdle(Duration.ofSeconds(300))) {
        throw new IllegalStateException("the gallery jobs did not finish in 300 s");
      }
      JsonNode page = Rig.JSON.readTree(rig.send(rig.get("api/v1/images?page=1&size=24", galleryKey)).body());
      out.printf(Locale.ROOT, "gallery user: %d jobs, %s images%n", galleryJobs, page.path("total").asText("?"));
      List<String> keys = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        keys.add(rig.issueKey(String.format(Locale.ROOT, "rest%04d", u)));
      }
      fake.hang(true);
      String sessionKey = keys.get(0);
      Requests css = t -> rig.get("app.css", null);
      Requests session = t -> rig.get("api/v1/session", sessionKey);
      Requests status = t -> rig.get("api/v1/jobs/" + jobIds.get(ThreadLocalRandom.current().nextInt(jobIds.size())), galleryKey);
      Requests gallery = t -> rig.get("api/v1/images?page=1&size=24", galleryKey);
      Requests submit = t -> rig.post("api/v1/jobs", keys.get(ThreadLocalRandom.current().nextInt(keys.size())), Rig.jobBody(1));
      out.println("load average at start: " + LiveDelay.loadAverage());
      Map<String, Requests> endpoints = new java.util.LinkedHashMap<>();
      endpoints.put("static app.css", css);
      endpoints.put("GET session (JAX-RS, API key)", session);
      endpoints.put("GET job status", status);
      endpoints.put("GET gallery page 1, size 24", gallery);
      endpoints.put("POST job (worker held)", submit);
      // A first pass, not reported, so every endpoint's code is compiled before any is measured.
      for (Map.Entry<String, Requests> e : endpoints.entrySet()) {
        run("warm-up", threads, WARM_UP, WARM_UP, e.getValue() == submit ? 202 : 200, rig, e.getValue());
      }
      // Rounds in alternating order, so a drift of the shared machine's speed hits every endpoint alike.
      Map<String, Phase> phases = new java.util.LinkedHashMap<>();
      List<String> names = new ArrayList<>(endpoints.keySet());
      for (int round = 0; round < rounds; round++) {
        for (String name : names) {
          Requests r = endpoints.get(name);
          Phase p = run(name, threads, SETTLE, each, r == submit ? 202 : 200, rig, r);
          phases.merge(name, p, Phase::plus);
        }
        java.util.Collections.reverse(names);
      }
      out.print(report(new ArrayList<>(phases.values()), threads, rounds, each));
      fake.hang(false);
      out.println("load average at end: " + LiveDelay.loadAverage());
    }
    System.exit(0);
  }

  /** Closed loop: a warm-up (not counted), then {@code measure} of counted requests. */
  static Phase run(String name, int threads, Duration warmUp, Duration measure, int expected, Rig rig, Requests requests)
      throws InterruptedException {
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    long start = System.nanoTime() + warmUp.toNanos();
    long end = start + measure.toNanos();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread client = new Thread(() -> {
        List<Long> mine = new ArrayList<>();
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
          String failure;
          try {
            HttpResponse<String> r = rig.send(requests.next(thread));
            failure = r.statusCode() == expected ? null : r.statusCode() + " " + r.body();
          } catch (java.io.IOException e) {
            failure = e.toString();
          } catch (InterruptedException e) {
            return;
          }
          long done = System.nanoTime();
          if (now < start) {
            continue;
          }
          if (failure == null) {
            ok.increment();
            mine.add(done - now);
          } else {
            failed.increment();
            firstFailure.compareAndSet(null, failure);
          }
        }
        latencies.addAll(mine);
      }, "warbench-client-" + t);
      client.setDaemon(true);
      clients.add(client);
      client.start();
    }
    for (Thread client : clients) {
      client.join(measure.plus(warmUp).plus(Rig.TIMEOUT).toMillis());
    }
    return new Phase(name, ok.sum(), failed.sum(), measure.toNanos() / 1e9, new ArrayList<>(latencies), firstFailure.get());
  }

  static String report(List<Phase> phases, int threads, int rounds, Duration each) {
    Phase css = phases.get(0);
    Phase session = phases.get(1);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%d client threads, closed loop, %d rounds of %d s per endpoint%n", threads,
        rounds, each.toSeconds()));
    s.append(String.format(Locale.ROOT, "| endpoint | req/s | p50 | p99 | rate / static | rate / session | p50 / session | failed |%n"));
    s.append("|---|---|---|---|---|---|---|---|\n");
    for (Phase p : phases) {
      s.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.2f | %.2f | %.2f | %d%s |%n", p.name(), p.rate(),
          Latencies.ms(p.latencies().at(50)), Latencies.ms(p.latencies().at(99)), p.rate() / css.rate(),
          p.rate() / session.rate(), (double) p.latencies().at(50) / session.latencies().at(50), p.failed(),
          p.firstFailure() == null ? "" : " (first: " + abbreviate(p.firstFailure()) + ")"));
    }
    return s.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "…";
  }
}
