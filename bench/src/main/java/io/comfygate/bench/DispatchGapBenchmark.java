package io.comfygate.bench;

import io.comfygate.client.ComfyClient;
import io.comfygate.client.PromptHandle;
import io.comfygate.client.PromptOutcome;
import io.comfygate.client.PromptRequest;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.JobEvent;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.templates.Template;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.testkit.FakeComfyUi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Dispatch gap: how long ComfyUI sits idle between two jobs when they come through the engine,
 * against when the same jobs wait in ComfyUI's own queue.
 *
 * <p>Each round queues 50 tiny txt2img prompts (10 users × 5 jobs) on one {@link FakeComfyUi}
 * whose worker is held ({@code hang}) until all are submitted, then lets it go:
 *
 * <ul>
 *   <li><b>baseline</b>: the 50 prompts are POSTed straight to the fake, so they all wait in its
 *       own queue, as with ComfyUI alone;
 *   <li><b>engine</b>: the 50 jobs are submitted to a {@link JobEngine}, which keeps one job
 *       running and one pre-queued in ComfyUI and dispatches the next when one finishes.
 * </ul>
 *
 * <p>Gap = {@code execution_start(i+1) − execution_success(i)} for consecutive prompts, both taken
 * from the server's frames as they pass a {@link FrameTap} relay that both sides use. Rounds
 * alternate the order (B E, E B, …) after one discarded warm-up pair; gaps are pooled per side.
 *
 * <p>With the argument {@code postgresql} (or {@code postgresql=<jdbc url>}, default the test server
 * {@value #DEFAULT_POSTGRESQL}) a second engine on a fresh PostgreSQL schema joins as a third side,
 * rotated with the other two, and the run ends with the PostgreSQL/SQLite ratio of the engines' gaps.
 *
 * <p>Bounded: {@value #ROUNDS} rounds per side of 50 jobs of about 15 ms; every wait has a
 * deadline. Loopback only.
 */
public final class DispatchGapBenchmark {
  static final int USERS = 10;
  static final int JOBS_PER_USER = 5;
  static final int ROUNDS = 6;
  static final Duration ROUND_DEADLINE = Duration.ofSeconds(60);
  static final String DEFAULT_POSTGRESQL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private final FakeComfyUi fake;
  private final FrameTap tap;
  private final ComfyClient direct;
  private final List<Side> engines;
  private final Template template;
  private final AtomicReference<CountDownLatch> engineDone = new AtomicReference<>(new CountDownLatch(0));
  private final AtomicInteger engineFailures = new AtomicInteger();

  /** One engine under test and the name its figures are printed under. */
  private record Side(String name, JobEngine engine) {}

  private DispatchGapBenchmark(FakeComfyUi fake, FrameTap tap, ComfyClient direct, List<Side> engines) {
    this.fake = fake;
    this.tap = tap;
    this.direct = direct;
    this.engines = engines;
    this.template = engines.get(0).engine().templates().get("txt2img");
    engines.forEach(side -> side.engine().addListener(event -> {
      if (event instanceof JobEvent.Completed) {
        engineDone.get().countDown();
      } else if (event instanceof JobEvent.Failed || event instanceof JobEvent.TimedOut) {
        engineFailures.incrementAndGet();
        System.err.println("engine job ended " + event.name() + ": " + event.job().error());
        engineDone.get().countDown();
      }
    }));
  }

  public static void main(String[] args) throws Exception {
    System.out.println(BenchSupport.machine());
    String postgresql = args.length == 0 ? null
        : args[0].equals("postgresql") ? DEFAULT_POSTGRESQL
        : args[0].startsWith("postgresql=") ? args[0].substring("postgresql=".length())
        : null;
    if (args.length > 0 && postgresql == null) {
      System.err.println("usage: DispatchGapBenchmark [postgresql | postgresql=<jdbc url without password>]");
      System.exit(2);
    }
    Path work = BenchSupport.tempDir("comfygate-bench-gap");
    String schema = "cg_bench_gap_" + UUID.randomUUID().toString().replace("-", "");
    List<Side> engines = new ArrayList<>();
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(5)).start();
         FrameTap tap = FrameTap.start(fake.port());
         ComfyClient direct = ComfyClient.builder().baseUrl(tap.baseUrl().toString()).build()) {
      engines.add(new Side("engine", engine(tap, work, work.resolve("gap.db").toString())));
      if (postgresql != null) {
        BenchSupport.postgresAdmin(postgresql, "CREATE SCHEMA " + schema);
        engines.add(new Side("engine-pg", engine(tap, work,
            postgresql + (postgresql.contains("?") ? "&" : "?") + "currentSchema=" + schema)));
      }
      new DispatchGapBenchmark(fake, tap, direct, engines).run();
    } finally {
      engines.forEach(side -> side.engine().close());
      if (postgresql != null) {
        BenchSupport.postgresAdmin(postgresql, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      BenchSupport.deleteTree(work);
    }
  }

  private static JobEngine engine(FrameTap tap, Path work, String database) {
    return JobEngine.builder()
        .servers(List.of(tap.baseUrl()))
        .templates(TemplateRegistry.shipped())
        .database(database)
        .outputDir(work.resolve("outputs"))
        .quota(new QuotaPolicy(JOBS_PER_USER, 1))
        .build();
  }

  private void run() throws Exception {
    System.out.printf("fake ComfyUI: 2 sampler steps of 5 ms per prompt; %d users x %d jobs per round;"
        + " %d rounds per side after a warm-up round of each side%n", USERS, JOBS_PER_USER, ROUNDS);
    baselineRound();
    for (Side side : engines) {
      engineRound(side.engine());
    }
    Map<String, List<Round>> roundsBySide = new LinkedHashMap<>();
    roundsBySide.put("baseline", new ArrayList<>());
    engines.forEach(side -> roundsBySide.put(side.name(), new ArrayList<>()));
    int sides = engines.size() + 1; // side 0 is the baseline
    for (int r = 0; r < ROUNDS; r++) {
      for (int k = 0; k < sides; k++) {
        int side = (r + k) % sides; // each side first in turn
        Round round = side == 0 ? baselineRound() : engineRound(engines.get(side - 1).engine());
        String name = side == 0 ? "baseline" : engines.get(side - 1).name();
        roundsBySide.get(name).add(round);
        System.out.printf(Locale.ROOT, "round %d %-9s gaps %s%n", r + 1, name, Stats.of(round.gaps).summary());
      }
    }
    Stats b = Stats.of(pooled(roundsBySide.get("baseline"), Round::gaps));
    System.out.println();
    System.out.println("prompt run time (start->success), every side: "
        + Stats.of(roundsBySide.values().stream().flatMap(rs -> pooled(rs, Round::runTimes).stream()).toList()).summary());
    System.out.println("baseline (ComfyUI's own queue): " + b.summary());
    Stats sqlite = null;
    for (Side side : engines) {
      List<Round> rounds = roundsBySide.get(side.name());
      List<Long> gaps = pooled(rounds, Round::gaps);
      Stats e = Stats.of(gaps);
      sqlite = sqlite == null ? e : sqlite;
      System.out.printf(Locale.ROOT, "%-9s (JobEngine dispatch, %s): %s%n", side.name(),
          side.name().equals("engine") ? "SQLite" : "PostgreSQL", e.summary());
      System.out.printf(Locale.ROOT, "  ratio %s/baseline: median %.2f, p99 %.2f (goal: median <= 1.2)%n", side.name(),
          (double) e.median() / b.median(), (double) e.percentile(99) / b.percentile(99));
      System.out.println("  refill (success(i) -> POST of prompt i+2): " + Stats.of(pooled(rounds, Round::refills)).summary());
      System.out.printf(Locale.ROOT, "  gaps over 5 ms: %d of %d; gaps where ComfyUI's queue had run dry"
          + " (next prompt POSTed after its predecessor ended): %d%n",
          gaps.stream().filter(g -> g > 5_000_000L).count(), gaps.size(), rounds.stream().mapToInt(Round::dry).sum());
      if (e != sqlite) {
        System.out.printf(Locale.ROOT, "  ratio %s/engine (PostgreSQL/SQLite): median %.2f, p99 %.2f (goal: <= 1.2)%n",
            side.name(), (double) e.median() / sqlite.median(), (double) e.percentile(99) / sqlite.percentile(99));
      }
    }
    System.out.printf("engine failures: %d; unreadable frames: %d%n", engineFailures.get(), tap.unreadableFrames());
  }

  private static List<Long> pooled(List<Round> rounds, java.util.function.Function<Round, List<Long>> part) {
    return rounds.stream().flatMap(r -> part.apply(r).stream()).toList();
  }

  /** 50 prompts POSTed straight to the fake while its worker is held, then released. */
  private Round baselineRound() throws Exception {
    tap.clear();
    fake.hang(true);
    List<PromptHandle> handles = new ArrayList<>();
    try {
      for (int i = 0; i < USERS * JOBS_PER_USER; i++) {
        PromptRequest request = PromptRequest.builder(
                template.bind(BenchSupport.tinyJob("gap " + i), ThreadLocalRandom.current()).workflow())
            .promptId(UUID.randomUUID().toString())
            .build();
        handles.add(direct.submit(request));
      }
    } finally {
      fake.hang(false);
    }
    long deadline = System.nanoTime() + ROUND_DEADLINE.toNanos();
    for (PromptHandle h : handles) {
      PromptOutcome outcome = h.completion().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!(outcome instanceof PromptOutcome.Succeeded)) {
        throw new IllegalStateException("baseline prompt did not succeed: " + outcome);
      }
    }
    return Round.of(false, tap.marks());
  }

  /** 10 users × 5 jobs submitted to {@code engine} while the fake's worker is held, then released. */
  private Round engineRound(JobEngine engine) throws Exception {
    tap.clear();
    CountDownLatch done = new CountDownLatch(USERS * JOBS_PER_USER);
    engineDone.set(done);
    fake.hang(true);
    try {
      for (int j = 0; j < JOBS_PER_USER; j++) {
        for (int u = 0; u < USERS; u++) {
          engine.submit("user-" + u, "txt2img", BenchSupport.tinyJob("gap " + u + "/" + j));
        }
      }
    } finally {
      fake.hang(false);
    }
    if (!done.await(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("engine round did not finish within " + ROUND_DEADLINE
          + "; " + done.getCount() + " jobs left");
    }
    return Round.of(true, tap.marks());
  }

  /**
   * The gaps and run times of one round, from the tap's marks. {@code refills}: for the engine,
   * how long after a prompt's execution_success the engine POSTed the prompt after next (the one
   * that refills ComfyUI's queue); {@code dry}: gaps before a prompt that had not even been POSTed
   * when its predecessor finished. POSTs are matched to prompts by order, which holds because the
   * fake runs its queue first in, first out.
   */
  private record Round(boolean engine, List<Long> gaps, List<Long> runTimes, List<Long> refills, int dry) {
    static Round of(boolean engine, List<FrameTap.Mark> marks) {
      Map<String, long[]> byPrompt = new HashMap<>(); // prompt id -> {start, success}
      List<Long> posts = new ArrayList<>();
      for (FrameTap.Mark m : marks) {
        if (m.type().equals(FrameTap.POST)) {
          posts.add(m.nanos());
          continue;
        }
        long[] t = byPrompt.computeIfAbsent(m.promptId(), k -> new long[] {-1, -1});
        t[m.type().equals("execution_start") ? 0 : 1] = m.nanos();
      }
      List<long[]> ordered = new ArrayList<>(byPrompt.values());
      ordered.removeIf(t -> t[0] < 0 || t[1] < 0);
      int n = USERS * JOBS_PER_USER;
      if (ordered.size() != n || posts.size() != n) {
        throw new IllegalStateException("saw " + ordered.size() + " complete prompts and " + posts.size()
            + " POSTs, expected " + n);
      }
      posts.sort(null);
      ordered.sort(Comparator.comparingLong(t -> t[0]));
      List<Long> gaps = new ArrayList<>();
      List<Long> runTimes = new ArrayList<>();
      List<Long> refills = new ArrayList<>();
      int dry = 0;
      for (int i = 0; i < n; i++) {
        runTimes.add(ordered.get(i)[1] - ordered.get(i)[0]);
        if (i > 0) {
          gaps.add(ordered.get(i)[0] - ordered.get(i - 1)[1]);
          if (posts.get(i) > ordered.get(i - 1)[1]) {
            dry++;
          }
        }
        if (i + 2 < n) {
          refills.add(posts.get(i + 2) - ordered.get(i)[1]);
        }
      }
      return new Round(engine, gaps, runTimes, refills, dry);
    }
  }
}
