package io.comfygate.bench;

import io.comfygate.engine.JobEngine;
import io.comfygate.engine.JobEvent;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.jobs.JobId;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.store.Stores;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.testkit.FakeComfyUi;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Submit path of the engine, two figures:
 *
 * <ol>
 *   <li><b>Idle latency</b>: from the {@code submit()} call to the moment its {@code POST /prompt}
 *       reaches the server (noted by a {@link FrameTap} relay in front of the fake, on the same
 *       nanoTime clock), one job at a time on an idle engine. Also how long {@code submit()}
 *       itself takes (it returns once the job is committed to SQLite).
 *   <li><b>Sustained durable submits</b>: {@value #THREADS} threads submit for {@link #SUSTAIN}
 *       as {@value #USERS} users, with a quota that admits every job, while the fake's worker is
 *       held so that the submit path alone is measured. Counted from the committed rows of the
 *       {@code jobs} table afterwards, per second, and compared with the same threads inserting
 *       straight through the JDBC {@link JobStore} (the store's own ceiling) in the same run.
 *   <li><b>Submits against a backlog</b>: the same load for {@link #BACKLOG_RUN} on an engine with
 *       nothing waiting, then, on the same engine, once {@value #BACKLOG} jobs wait: rate and the
 *       latency of each {@code submit()} call, so a cost that grows with the waiting room shows.
 * </ol>
 *
 * <p>Bounded: {@value #IDLE_SAMPLES} idle samples, two loads of {@link #SUSTAIN} each, two of
 * {@link #BACKLOG_RUN} and the fill in between. Loopback only. {@code --no-backlog} skips the third;
 * {@code --idle-only} runs the first alone.
 */
public final class SubmitLatencyBenchmark {
  static final int IDLE_WARMUP = 30;
  static final int IDLE_SAMPLES = 300;
  static final int THREADS = 8;
  static final int USERS = 1_000;
  static final Duration SUSTAIN = Duration.ofSeconds(6);
  static final Duration WAIT = Duration.ofSeconds(10);
  static final int BACKLOG = 100_000;
  static final int ROUNDS = 6;
  static final Duration PHASE = Duration.ofSeconds(3);
  static final Duration BACKLOG_RUN = Duration.ofSeconds(3);

  public static void main(String[] args) throws Exception {
    System.out.println(BenchSupport.machine());
    Path work = BenchSupport.tempDir("comfygate-bench-submit");
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(1).stepDelay(Duration.ofMillis(1)).start();
         FrameTap tap = FrameTap.start(fake.port())) {
      idleLatency(fake, tap, work);
      if (List.of(args).contains("--idle-only")) {
        return;
      }
      double store = storeCeiling(work);
      double viaEngine = sustainedSubmits(fake, tap, work);
      System.out.printf(Locale.ROOT, "%nratio engine/store: %.2f%n", viaEngine / store);
      alternating(fake, tap, work);
      if (!List.of(args).contains("--no-backlog")) {
        backlog(fake, tap, work);
      }
    } finally {
      BenchSupport.deleteTree(work);
    }
  }

  private static JobEngine engine(FrameTap tap, Path work, String name, QuotaPolicy quota) {
    return JobEngine.builder()
        .servers(List.of(tap.baseUrl()))
        .templates(TemplateRegistry.shipped())
        .database(work.resolve(name + ".db").toString())
        .outputDir(work.resolve(name + "-outputs"))
        .quota(quota)
        .build();
  }

  private static void idleLatency(FakeComfyUi fake, FrameTap tap, Path work) throws Exception {
    List<Long> toPost = new ArrayList<>();
    List<Long> submitCall = new ArrayList<>();
    AtomicReference<CountDownLatch> done = new AtomicReference<>();
    try (JobEngine engine = engine(tap, work, "idle", new QuotaPolicy(1, 1))) {
      engine.addListener(e -> {
        if (e instanceof JobEvent.Completed || e instanceof JobEvent.Failed || e instanceof JobEvent.TimedOut) {
          done.get().countDown();
        }
      });
      for (int i = 0; i < IDLE_WARMUP + IDLE_SAMPLES; i++) {
        CountDownLatch latch = new CountDownLatch(1);
        done.set(latch);
        tap.clear();
        long t0 = System.nanoTime();
        engine.submit("idle-user", "txt2img", BenchSupport.tinyJob("idle " + i));
        long t1 = System.nanoTime();
        Long posted = tap.takePost(WAIT);
        if (posted == null) {
          throw new IllegalStateException("no POST /prompt within " + WAIT);
        }
        if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("job did not end within " + WAIT);
        }
        if (i >= IDLE_WARMUP) {
          toPost.add(posted - t0);
          submitCall.add(t1 - t0);
        }
        Thread.sleep(5); // let the engine settle: idle means nothing else in flight
      }
    }
    System.out.println("idle engine, one job at a time (" + IDLE_SAMPLES + " after " + IDLE_WARMUP + " warm-up):");
    System.out.println("  submit() call -> POST /prompt at server: " + Stats.of(toPost).summary());
    System.out.println("  submit() call returns (job committed):  " + Stats.of(submitCall).summary());
  }

  /** The same threads inserting queued jobs straight into a JdbcJobStore: the store's ceiling. */
  private static double storeCeiling(Path work) throws Exception {
    Path file = work.resolve("store-only.db");
    AtomicLong inserted = new AtomicLong();
    try (Stores db = Stores.open(file.toString())) {
      JobStore store = db.jobs();
      Clock clock = Clock.systemUTC();
      String params = BenchSupport.tinyJob("store").toString();
      load("store-only", (thread, n) -> {
        store.insert(StoredJob.queued(JobId.generate(clock), "user-" + (n % USERS), "txt2img", params, clock.instant()));
        inserted.incrementAndGet();
      });
    }
    return report("JdbcJobStore.insert, " + THREADS + " threads", file, inserted.get());
  }

  private static double sustainedSubmits(FakeComfyUi fake, FrameTap tap, Path work) throws Exception {
    AtomicLong refused = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    fake.hang(true); // nothing completes: only the submit path is measured
    try (JobEngine engine = engine(tap, work, "sustained", new QuotaPolicy(1_000_000, 1))) {
      load("engine", (thread, n) -> {
        try {
          engine.submit("user-" + (n % USERS), "txt2img", BenchSupport.tinyJob("load " + n));
          accepted.incrementAndGet();
        } catch (QuotaExceededException e) {
          refused.incrementAndGet();
        }
      });
    } finally {
      fake.hang(false);
      fake.reset();
    }
    if (refused.get() > 0) {
      System.out.println("  (refused by quota: " + refused.get() + ")");
    }
    return report("JobEngine.submit, " + THREADS + " threads, " + USERS + " users", work.resolve("sustained.db"),
        accepted.get());
  }

  /**
   * The store's own batched insert rate and the engine's submit rate in alternating phases of
   * {@link #PHASE} ({@value #ROUNDS} rounds, order reversed each round), so that the shared
   * machine's drift hits both alike; one ratio per round.
   */
  private static void alternating(FakeComfyUi fake, FrameTap tap, Path work) throws Exception {
    fake.hang(true);
    Clock clock = Clock.systemUTC();
    String params = BenchSupport.tinyJob("store").toString();
    try (Stores db = Stores.open(work.resolve("alt-store.db").toString());
        JobEngine engine = engine(tap, work, "alt-engine", new QuotaPolicy(1_000_000, 1))) {
      JobStore store = db.jobs();
      Work viaStore = (thread, n) -> store.insert(
          StoredJob.queued(JobId.generate(clock), "user-" + (n % USERS), "txt2img", params, clock.instant()));
      Work viaEngine = (thread, n) -> engine.submit("user-" + (n % USERS), "txt2img", BenchSupport.tinyJob("alt " + n));
      System.out.println();
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        boolean storeFirst = round % 2 == 0;
        double first = phase(storeFirst ? "store" : "engine", storeFirst ? viaStore : viaEngine);
        double second = phase(storeFirst ? "engine" : "store", storeFirst ? viaEngine : viaStore);
        double storeRate = storeFirst ? first : second;
        double engineRate = storeFirst ? second : first;
        ratios.add(engineRate / storeRate);
        System.out.printf(Locale.ROOT, "round %d: store %.0f/s, engine %.0f/s, ratio %.2f%n", round + 1, storeRate,
            engineRate, engineRate / storeRate);
      }
      ratios.sort(null);
      System.out.printf(Locale.ROOT, "alternating, %d threads, %d users: median ratio engine/store %.2f (min %.2f, max %.2f)%n",
          THREADS, USERS, (ratios.get((ROUNDS - 1) / 2) + ratios.get(ROUNDS / 2)) / 2, ratios.get(0),
          ratios.get(ROUNDS - 1));
    } finally {
      fake.hang(false);
      fake.reset();
    }
  }

  private static double phase(String name, Work work) throws Exception {
    AtomicLong done = new AtomicLong();
    load(name, PHASE, (thread, n) -> {
      work.run(thread, n);
      done.incrementAndGet();
    });
    return done.get() / (double) PHASE.toSeconds();
  }

  /** Submit rate and per-call latency with 0 waiting, then with {@value #BACKLOG} waiting, on one engine. */
  private static void backlog(FakeComfyUi fake, FrameTap tap, Path work) throws Exception {
    fake.hang(true); // nothing completes: the waiting room only grows
    try (JobEngine engine = engine(tap, work, "backlog", new QuotaPolicy(1_000_000, 1))) {
      System.out.println();
      Timed empty = timedLoad(engine, "0 waiting at start");
      long fill = 0;
      while (engine.queueDepth().totalWaiting() < BACKLOG) {
        engine.submit("user-" + (fill++ % USERS), "txt2img", BenchSupport.tinyJob("fill " + fill));
      }
      Timed full = timedLoad(engine, engine.queueDepth().totalWaiting() + " waiting at start");
      System.out.printf(Locale.ROOT, "ratio %d waiting / 0 waiting: rate %.2f, p50 %.2f, p99 %.2f%n", BACKLOG,
          full.rate() / empty.rate(), full.latency().median() / (double) empty.latency().median(),
          full.latency().percentile(99) / (double) empty.latency().percentile(99));
    } finally {
      fake.hang(false);
      fake.reset();
    }
  }

  private record Timed(double rate, Stats latency) {}

  private static Timed timedLoad(JobEngine engine, String what) throws Exception {
    List<List<Long>> perThread = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      perThread.add(new ArrayList<>());
    }
    AtomicLong done = new AtomicLong();
    load("engine, " + what, BACKLOG_RUN, (thread, n) -> {
      long t0 = System.nanoTime();
      engine.submit("user-" + (n % USERS), "txt2img", BenchSupport.tinyJob("backlog " + n));
      perThread.get(thread).add(System.nanoTime() - t0);
      done.incrementAndGet();
    });
    List<Long> all = new ArrayList<>();
    perThread.forEach(all::addAll);
    Stats stats = Stats.of(all);
    double rate = done.get() / (double) BACKLOG_RUN.toSeconds();
    System.out.printf(Locale.ROOT, "JobEngine.submit, %d threads, %s: %.0f submits/s, submit() %s%n", THREADS, what,
        rate, stats.summary());
    return new Timed(rate, stats);
  }

  /** One unit of load: thread index and a global sequence number. */
  private interface Work {
    void run(int thread, long n) throws Exception;
  }

  /** Runs {@code work} on {@value #THREADS} threads for {@code length}; prints completions per second. */
  private static void load(String name, Work work) throws Exception {
    load(name, SUSTAIN, work);
  }

  private static void load(String name, Duration length, Work work) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong seq = new AtomicLong();
    int buckets = (int) length.toSeconds();
    AtomicLongArray perSecond = new AtomicLongArray(buckets + 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      int index = t;
      Thread thread = new Thread(() -> {
        try {
          while (!stop.get()) {
            work.run(index, seq.getAndIncrement());
            int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
            perSecond.incrementAndGet(Math.min(second, buckets));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          stop.set(true);
        }
      }, "bench-load-" + name + "-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    Thread.sleep(length.toMillis());
    stop.set(true);
    for (Thread thread : threads) {
      thread.join(WAIT.toMillis());
    }
    if (failure.get() != null) {
      throw new IllegalStateException(name + " load failed", failure.get());
    }
    StringBuilder line = new StringBuilder("  " + name + " per second:");
    for (int s = 0; s < buckets; s++) {
      line.append(' ').append(perSecond.get(s));
    }
    System.out.println(line);
  }

  /** Counts committed rows in the file (what a crash would keep) and prints the rate. */
  private static double report(String what, Path file, long acknowledged) throws Exception {
    long rows;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT COUNT(*) FROM jobs")) {
      r.next();
      rows = r.getLong(1);
    }
    double rate = rows / (double) SUSTAIN.toSeconds();
    System.out.printf(Locale.ROOT, "%s: %d acknowledged, %d committed rows in %d s = %.0f durable submits/s%n",
        what, acknowledged, rows, SUSTAIN.toSeconds(), rate);
    return rate;
  }
}
