package io.comfygate.bench.war;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.jobs.JobId;
import io.comfygate.testkit.FakeComfyUi;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live updates at scale: {@code users × socketsPerUser} WebSocket connections to
 * {@code /api/v1/live} (JDK client, each with its user's API key) while every user runs
 * {@code jobsPerUser} jobs on two simulated ComfyUI backends.
 *
 * <p>Delivery delay: from the moment a backend's {@code progress} frame has passed the
 * {@link ProgressTap} relay in front of it to the moment each socket of the job's owner receives
 * the matching {@code progress} message (same job, same percent), one nanoTime clock. The hub's
 * throttle lets a new percent through at once unless two went out in the last 250 ms, and sends a
 * held-back one later rather than drop it; the fake's steps are 350 ms apart, so every frame should
 * reach every socket of its user (the driver counts those that did not), and any wait the throttle
 * adds is part of the measured delay. The delay is also printed per sampler step. Memory: heap in use after GC with the sockets open, minus before they were opened, per
 * socket. Client and server share the JVM, so that figure is an upper bound for the server's part.
 *
 * <p>Run: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.war.LiveDelay [users] [socketsPerUser] [jobsPerUser] [wave]}
 * where {@code wave} 0 (default) submits every job at once, so most wait in the queue, and
 * {@code wave} n submits n jobs and waits for them to finish before the next n.
 */
public final class LiveDelay {
  private static final Duration STEP = Duration.ofMillis(350);
  private static final int STEPS = 3;
  private static final int CLIENTS = 10;
  private static final int OPENING_AT_ONCE = 50;

  /** A received text message and when its last part arrived. */
  record Message(long nanos, String text) {}

  /** One socket's received text messages with their arrival times. */
  static final class Received implements WebSocket.Listener {
    final String user;
    final Queue<Message> messages = new ConcurrentLinkedQueue<>();
    final AtomicInteger count = new AtomicInteger();
    volatile String closed;
    private final StringBuilder partial = new StringBuilder();

    Received(String user) {
      this.user = user;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(new Message(System.nanoTime(), partial.toString()));
        partial.setLength(0);
        count.incrementAndGet();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed = status + " " + reason;
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed = error.toString();
    }
  }

  private LiveDelay() {}

  public static void main(String[] args) throws Exception {
    int users = Rig.arg(args, 0, 100);
    int perUser = Rig.arg(args, 1, 10);
    int jobsPerUser = Rig.arg(args, 2, 1);
    int wave = Rig.arg(args, 3, 0);
    PrintStream out = System.out;
    out.println("load average at start: " + loadAverage());
    try (FakeComfyUi gpu1 = fake(); FakeComfyUi gpu2 = fake();
        ProgressTap tap1 = ProgressTap.start(gpu1.baseUrl()); ProgressTap tap2 = ProgressTap.start(gpu2.baseUrl());
        Rig rig = Rig.start(List.of(tap1.baseUrl(), tap2.baseUrl()),
            Map.of("MAX_PER_USER_QUEUE", String.valueOf(Math.max(3, jobsPerUser)), "MAX_PER_USER_CONCURRENT", "1"),
            out)) {
      List<String> keys = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        keys.add(rig.issueKey(user(u)));
      }
      List<HttpClient> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(Rig.client());
      }
      long heapBefore = Rig.heapAfterGc();
      List<Received> sockets = new ArrayList<>();
      List<WebSocket> open = openSockets(rig, clients, keys, perUser, sockets);
      awaitSnapshots(sockets, Duration.ofSeconds(60));
      long heapOpen = Rig.heapAfterGc();
      long rssOpen = Rig.rss();
      out.printf(Locale.ROOT, "%d sockets open; heap after GC %s with them, %s before: %s per socket; RSS %s%n",
          open.size(), Rig.mib(heapOpen), Rig.mib(heapBefore),
          String.format(Locale.ROOT, "%.1f KiB", (heapOpen - heapBefore) / 1024.0 / open.size()), Rig.mib(rssOpen));

      Map<String, String> ownerOfPrompt = new HashMap<>();
      Map<String, String> jobOfPrompt = new HashMap<>();
      int jobs = users * jobsPerUser;
      long budget = TimeUnit.SECONDS.toNanos(60) + jobs * (STEPS + 1L) * STEP.toNanos();
      long deadline = System.nanoTime() + budget;
      int submitted = 0;
      for (int j = 0; j < jobsPerUser; j++) {
        for (int u = 0; u < users; u++) {
          String id = rig.submit(keys.get(u), 1);
          String prompt = JobId.of(id).promptId();
          ownerOfPrompt.put(prompt, user(u));
          jobOfPrompt.put(prompt, id);
          submitted++;
          if (wave > 0 && submitted % wave == 0) {
            awaitFinished(submitted, deadline, tap1, tap2);
          }
        }
      }
      awaitFinished(jobs, deadline, tap1, tap2);
      Thread.sleep(1000); // the last deliveries
      long finished = tap1.successes() + tap2.successes();
      out.printf(Locale.ROOT, "%d of %d jobs finished on the backends; compressed frames: %d%n", finished, jobs,
          tap1.compressedFrames() + tap2.compressedFrames());

      List<ProgressTap.Frame> frames = new ArrayList<>(tap1.frames());
      frames.addAll(tap2.frames());
      out.print(deliveries(frames, ownerOfPrompt, jobOfPrompt, sockets));
      for (WebSocket ws : open) {
        ws.abort();
      }
      out.print(bareCost(gpu1, clients, open.size()));
      out.println("load average at end: " + loadAverage());
    }
    System.exit(0);
  }

  private static void awaitFinished(long jobs, long deadline, ProgressTap... taps) throws InterruptedException {
    while (java.util.Arrays.stream(taps).mapToLong(ProgressTap::successes).sum() < jobs && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static FakeComfyUi fake() {
    return FakeComfyUi.builder().steps(STEPS).stepDelay(STEP).start();
  }

  static String user(int u) {
    return String.format(Locale.ROOT, "live%03d", u);
  }

  /** Socket k of every user goes through client k, so one event's fan-out spreads over clients. */
  private static List<WebSocket> openSockets(Rig rig, List<HttpClient> clients, List<String> keys, int perUser,
      List<Received> sockets) {
    URI live = URI.create("ws" + rig.base.toString().substring(4)).resolve("api/v1/live");
    List<WebSocket> open = new ArrayList<>();
    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
    for (int k = 0; k < perUser; k++) {
      for (int u = 0; u < keys.size(); u++) {
        Received r = new Received(user(u));
        sockets.add(r);
        opening.add(clients.get(k % clients.size()).newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + keys.get(u)).buildAsync(live, r));
        if (opening.size() == OPENING_AT_ONCE) {
          opening.forEach(f -> open.add(f.orTimeout(30, TimeUnit.SECONDS).join()));
          opening.clear();
        }
      }
    }
    opening.forEach(f -> open.add(f.orTimeout(30, TimeUnit.SECONDS).join()));
    return open;
  }

  /**
   * For comparison: heap per socket of as many JDK client sockets to a bare Tomcat WebSocket
   * endpoint (the fake ComfyUI's {@code /ws}, same JVM), so what the live endpoint adds shows.
   */
  private static String bareCost(FakeComfyUi fake, List<HttpClient> clients, int count) throws InterruptedException {
    Thread.sleep(1000); // the aborted live sockets close
    long before = Rig.heapAfterGc();
    URI ws = URI.create("ws" + fake.baseUrl().toString().substring(4) + "/ws");
    List<WebSocket> bare = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      bare.add(clients.get(i % clients.size()).newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(ws + "?clientId=bare" + i), new WebSocket.Listener() { })
          .orTimeout(30, TimeUnit.SECONDS).join());
    }
    long after = Rig.heapAfterGc();
    bare.forEach(WebSocket::abort);
    return String.format(Locale.ROOT, "for comparison, %d sockets to a bare Tomcat endpoint (the fake's /ws): %.1f KiB each%n",
        count, (after - before) / 1024.0 / count);
  }

  private static void awaitSnapshots(List<Received> sockets, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (sockets.stream().anyMatch(s -> s.count.get() == 0)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("some sockets got no snapshot in " + limit.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
  }

  /** Matches every progress frame to the progress message of each socket of the job's owner. */
  static String deliveries(List<ProgressTap.Frame> frames, Map<String, String> ownerOfPrompt,
      Map<String, String> jobOfPrompt, List<Received> sockets) throws java.io.IOException {
    Map<String, List<Received>> byUser = new HashMap<>();
    for (Received s : sockets) {
      byUser.computeIfAbsent(s.user, u -> new ArrayList<>()).add(s);
    }
    // Per socket: "job id/percent" → when its first progress message with that percent arrived.
    Map<Received, Map<String, Long>> arrivals = new HashMap<>();
    int closed = 0;
    for (Received s : sockets) {
      Map<String, Long> firsts = new HashMap<>();
      for (Message received : s.messages) {
        JsonNode m = Rig.JSON.readTree(received.text());
        if (m.path("type").asText().equals("progress")) {
          firsts.putIfAbsent(m.path("job_id").asText() + "/" + m.path("percent").asInt(), received.nanos());
        }
      }
      arrivals.put(s, firsts);
      if (s.closed != null) {
        closed++;
      }
    }
    List<Long> delays = new ArrayList<>();
    List<Long> fastest = new ArrayList<>();
    Map<Integer, List<Long>> byStep = new java.util.TreeMap<>();
    int expected = 0;
    int noted = 0;
    List<String> missing = new ArrayList<>();
    for (ProgressTap.Frame f : frames) {
      String owner = ownerOfPrompt.get(f.promptId());
      if (!f.type().equals("progress") || owner == null || f.max() <= 0) {
        continue;
      }
      noted++;
      String key = jobOfPrompt.get(f.promptId()) + "/" + (int) Math.min(99, Math.round(100.0 * f.value() / f.max()));
      long first = Long.MAX_VALUE;
      for (Received s : byUser.getOrDefault(owner, List.of())) {
        expected++;
        Long at = arrivals.get(s).get(key);
        if (at == null) {
          missing.add(owner + " " + key);
        } else {
          delays.add(at - f.nanos());
          byStep.computeIfAbsent(f.value(), v -> new ArrayList<>()).add(at - f.nanos());
          first = Math.min(first, at - f.nanos());
        }
      }
      if (first != Long.MAX_VALUE) {
        fastest.add(first);
      }
    }
    Latencies l = Latencies.of(delays);
    Latencies f50 = Latencies.of(fastest);
    StringBuilder steps = new StringBuilder();
    byStep.forEach((step, d) -> {
      Latencies s = Latencies.of(d);
      steps.append(String.format(Locale.ROOT, "  step %d: p50 %s, p99 %s, max %s (%d)%n", step, Latencies.ms(s.at(50)),
          Latencies.ms(s.at(99)), Latencies.ms(s.max()), s.count()));
    });
    return String.format(Locale.ROOT,
        "progress frames from the backends: %d; deliveries expected: %d, received: %d, missing: %d%s%n"
            + "sockets closed by the server during the run: %d%n"
            + "delivery delay (backend frame passed the relay -> socket received): p50 %s, p90 %s, p99 %s, max %s%n",
        noted, expected, l.count(), missing.size(),
        missing.isEmpty() ? "" : " (first: " + missing.subList(0, Math.min(5, missing.size())) + ")", closed,
        Latencies.ms(l.at(50)), Latencies.ms(l.at(90)), Latencies.ms(l.at(99)), Latencies.ms(l.max()))
        + String.format(Locale.ROOT, "  fastest socket of each frame (the part before the fan-out): p50 %s, p99 %s, max %s%n",
            Latencies.ms(f50.at(50)), Latencies.ms(f50.at(99)), Latencies.ms(f50.max()))
        + "delivery delay by sampler step:\n" + steps;
  }

  static String loadAverage() {
    return io.comfygate.bench.BenchSupport.loadAverage();
  }
}
