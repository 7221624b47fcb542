package io.comfygate.engine;

import io.comfygate.client.ComfyClient;
import io.comfygate.health.Checks;
import io.comfygate.health.HealthMonitor;
import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.llm.LlmClient;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.TrashPurger;
import io.comfygate.store.TrashSweeper;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcImageStore;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.store.jdbc.JobChangeHook;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.uploads.Uploads;
import io.comfygate.webhooks.Webhooks;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's parts, wired from a {@link JobEngine.Builder}: who does what is told by the class of
 * each field. Owns every thread the engine starts; {@link #start()} recovers and schedules the
 * periodic work, {@link #close()} stops it all in reverse.
 */
final class EngineParts implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration IDEMPOTENCY_PURGE_INTERVAL = Duration.ofHours(1);
  private static final long TIMEOUT_CHECK_MILLIS = 500;

  // What the facade (JobEngine) reaches.
  final AtomicBoolean closed = new AtomicBoolean();
  final ImageStore images;
  final TemplateRegistry templates;
  final Duration probeInterval;
  final Listeners listeners;
  final OutputCollector outputs;
  final Queries queries;
  final Intake intake;
  final Interrupts interrupts;
  final HealthMonitor health;
  final LlmClient llm;
  final Uploads uploads;
  final TrashPurger purger;

  private final Clock clock;
  private final JobStore jobs;
  private final JobBoard board;
  private final Workers workers;
  private final ScheduledExecutorService timer;
  private final BackendHealth backendHealth;
  private final Recovery recovery;
  private final Housekeeping housekeeping;
  private final TrashSweeper sweeper;
  private final Duration uploadSweepInterval;
  private final List<AutoCloseable> owned;

  private EngineParts(JobEngine.Builder b) {
    clock = b.clock;
    jobs = b.jobStore;
    images = b.imageStore;
    templates = b.templates;
    probeInterval = b.probeInterval;
    llm = b.llm;
    uploads = b.uploads;
    uploadSweepInterval = b.trashSweepInterval;
    owned = new ArrayList<>(b.owned);
    outputs = new OutputCollector(b.outputDir);
    board = new JobBoard(b.quota, backends(b), closed::get);
    workers = new Workers(CLOSE_WAIT);
    listeners = new Listeners(CLOSE_WAIT);
    timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("engine-timer"));
    listeners.add(new JobEventLogger(b.progressLogStep, b.progressLogMinInterval, b.progressLogLevel, clock));
    Webhooks webhooks = b.webhooks;
    if (webhooks != null) {
      // The outbox rows are committed with each change (the store's hook); this only wakes the deliverer.
      listeners.add(event -> {
        if (!(event instanceof JobEvent.Progress)) {
          webhooks.nudge();
        }
      });
    }

    EtaEstimator eta = new EtaEstimator(20, Duration.ofSeconds(30));
    DurableWrites durable = new DurableWrites(closed::get);
    Snapshots snapshots = new Snapshots(board, eta, images, clock);
    queries = new Queries(board, jobs, snapshots, listeners);
    Transitions transitions = new Transitions(board, jobs, images, outputs, eta, durable, snapshots, listeners, clock);
    interrupts = new Interrupts(board, jobs, transitions, snapshots, queries, listeners, workers, clock, b.jobTimeout);
    JobRunner runner = new JobRunner(board, transitions, interrupts, workers);
    ProgressTracker progress = new ProgressTracker(board, transitions, snapshots, listeners);
    backendHealth = new BackendHealth(board, transitions, workers, clock);
    InputForwarder inputs = new InputForwarder(uploads);
    HandOver handOver = new HandOver(board, jobs, templates, inputs, durable, progress, runner, transitions,
        backendHealth, listeners, clock);
    board.handOverWith(handOver::dispatch);
    recovery = new Recovery(board, jobs, templates, transitions, runner);
    intake = new Intake(board, jobs, templates, inputs, webhooks, snapshots, queries, listeners, eta, clock,
        b.idempotencyRetention);
    housekeeping = new Housekeeping(jobs, uploads, clock, b.idempotencyRetention, b.uploadLimits.retention());

    health = healthMonitor(b);
    purger = new TrashPurger(images, b.outputDir);
    sweeper = TrashSweeper.start(purger, b.trashRetention, b.trashSweepInterval, clock);
  }

  /**
   * Fills in what the builder left open (the shipped templates, a disabled LLM helper), opens the
   * database unless stores were given (the engine then owns it), and wires the parts.
   *
   * @throws io.comfygate.errors.StoreException if the database cannot be opened
   */
  static EngineParts open(JobEngine.Builder b) {
    if (b.templates == null) {
      b.templates = TemplateRegistry.shipped();
    }
    if (b.llm == null) {
      b.llm = LlmClient.disabled("LLM disabled (LLM_BASE_URL not set)");
    }
    if (b.jobStore == null) {
      if (b.database == null) {
        b.database = Database.open(b.location);
        b.owned.add(b.database);
      }
      b.jobStore = new JdbcJobStore(b.database, b.webhooks == null ? JobChangeHook.NONE : b.webhooks.storeHook());
      b.imageStore = new JdbcImageStore(b.database);
    } else if (b.webhooks != null) {
      throw new IllegalStateException("webhooks need the engine's own JDBC store: use database(...), not stores(...)");
    }
    if (b.uploads == null && b.database != null) {
      b.uploads = new Uploads(b.database, b.outputDir.resolve("uploads"), b.uploadLimits, b.clock);
    }
    return new EngineParts(b);
  }

  /** One per server, named by its host:port, each with its own client and sender thread. */
  private static List<Backend> backends(JobEngine.Builder b) {
    List<Backend> out = new ArrayList<>();
    for (URI server : b.servers) {
      ComfyClient client = b.clientCustomizer.apply(ComfyClient.builder()
          .baseUrl(server.toString())
          .connectTimeout(b.httpConnectTimeout)
          .readTimeout(b.httpReadTimeout)
          .wsConnectTimeout(b.wsConnectTimeout)
          .wsIdleTimeout(b.wsIdleTimeout)).build();
      out.add(new Backend(server.getAuthority(), client,
          Executors.newSingleThreadExecutor(NamedThreads.factory("engine-dispatch"))));
    }
    return out;
  }

  /**
   * One check per backend (system_stats within the HTTP timeouts), the database (a real write read
   * back), free disk under OUTPUT_DIR, the LLM helper (or "disabled"), refreshed in the background.
   * Backends follow their checks ({@link BackendHealth}).
   */
  private HealthMonitor healthMonitor(JobEngine.Builder b) {
    Duration backendTimeout = b.httpConnectTimeout.plus(b.httpReadTimeout);
    HealthMonitor.Builder monitor = HealthMonitor.builder().clock(clock).refreshEvery(probeInterval);
    for (Backend backend : board.backends.values()) {
      monitor.add(Checks.of(BackendHealth.CHECK_PREFIX + backend.name, backendTimeout, () -> {
        String version = backend.client.systemStats().comfyuiVersion();
        return "ComfyUI " + (version == null ? "(version unknown)" : version) + " answers";
      }));
    }
    if (b.database != null) {
      monitor.add(Checks.jdbcWriteProbe(b.database.writeDataSource()));
    }
    monitor.add(Checks.diskFree(b.outputDir, b.diskMinFreeMb));
    monitor.add(Checks.llm(llm));
    b.extraChecks.forEach(monitor::add);
    monitor.listener(backendHealth::onHealthChange);
    return monitor.build();
  }

  void start() {
    recovery.recover();
    health.check(); // backends found DOWN now get nothing from the first submit on
    every(Duration.ofMillis(TIMEOUT_CHECK_MILLIS), Duration.ofMillis(TIMEOUT_CHECK_MILLIS), interrupts::checkTimeouts);
    every(probeInterval, probeInterval, this::reviveBackends);
    if (uploads != null) {
      every(uploadSweepInterval, uploadSweepInterval, housekeeping::sweepUploads);
    }
    every(Duration.ZERO, IDEMPOTENCY_PURGE_INTERVAL, housekeeping::purgeIdempotencyKeys);
    LOG.atInfo().setMessage("engine_start").addKeyValue("event", "engine_start")
        .addKeyValue("backends", board.backends.keySet()).log();
  }

  private void every(Duration first, Duration interval, Runnable task) {
    timer.scheduleWithFixedDelay(task, first.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reviveBackends() {
    try {
      health.cached().ifPresent(backendHealth::revive);
    } catch (RuntimeException e) {
      LOG.warn("backend revival check failed", e);
    }
  }

  /**
   * Stops dispatching, then stops every thread and closes the backends' clients and what the
   * engine opened itself (its database). Idempotent; waits a bounded time.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.close();
    sweeper.close();
    NamedThreads.shutdown(timer, CLOSE_WAIT, "engine timer");
    workers.close();
    for (Backend b : board.backends.values()) {
      NamedThreads.shutdown(b.sender, CLOSE_WAIT, "engine dispatch to " + b.name);
    }
    for (Backend b : board.backends.values()) {
      b.client.close();
    }
    listeners.close();
    llm.close();
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", owned.get(i), e);
      }
    }
    LOG.atInfo().setMessage("engine_stop").addKeyValue("event", "engine_stop").log();
  }
}
