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
import io.comfygate.store.jdbc.ClusterStore;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcImageStore;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.store.jdbc.JobChangeHook;
import io.comfygate.store.jdbc.JobFeed;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.uploads.Uploads;
import io.comfygate.webhooks.Webhooks;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  private static final int ETA_WINDOW = 20;

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
  private final EtaEstimator eta;
  private final Workers workers;
  private final ScheduledExecutorService timer;
  private final BackendHealth backendHealth;
  private final Recovery recovery;
  private final Housekeeping housekeeping;
  private final TrashSweeper sweeper;
  private final Duration uploadSweepInterval;
  private final List<AutoCloseable> owned;
  private final ClusterRole role;
  private final Instant startedAt;
  /** Coordination with the other instances on a shared database; {@code null} alone on it (SQLite). */
  private final Coordinator coordinator;

  private EngineParts(EngineConfig c, Wired w) {
    clock = c.clock();
    jobs = w.jobs();
    images = w.images();
    templates = w.templates();
    probeInterval = c.probeInterval();
    llm = w.llm();
    uploads = w.uploads();
    uploadSweepInterval = c.trashSweepInterval();
    owned = new ArrayList<>(w.owned());
    role = w.role();
    startedAt = clock.instant();
    outputs = new OutputCollector(c.outputDir());
    workers = new Workers(CLOSE_WAIT);
    listeners = new Listeners(CLOSE_WAIT);
    timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("engine-timer"));
    listeners.add(new JobEventLogger(c.progressLogStep(), c.progressLogMinInterval(), c.progressLogLevel(), clock));
    Webhooks webhooks = c.webhooks();
    if (webhooks != null) {
      // The outbox rows are committed with each change (the store's hook); this only wakes the deliverer.
      listeners.add(event -> {
        if (!(event instanceof JobEvent.Progress)) {
          webhooks.committed(event.job().id(), event.job().state().isTerminal());
        }
      });
    }

    eta = new EtaEstimator(ETA_WINDOW, Duration.ofSeconds(30));
    Snapshots snapshots = new Snapshots(eta, images, clock);
    board = new JobBoard(c.quota(), backends(c), c.jobTimeout(), closed::get, listeners, snapshots);
    DurableWrites durable = new DurableWrites(closed::get);
    queries = new Queries(board, jobs, snapshots, listeners);
    Transitions transitions = new Transitions(board, jobs, images, outputs, eta, durable, listeners, role, clock);
    interrupts = new Interrupts(board, jobs, transitions, queries, workers, clock, c.jobTimeout(), role, w.feed());
    JobRunner runner = new JobRunner(board, transitions, interrupts, workers);
    ProgressTracker progress = new ProgressTracker(board, transitions, listeners);
    backendHealth = new BackendHealth(board, transitions, workers, clock);
    InputForwarder inputs = new InputForwarder(uploads);
    HandOver handOver = new HandOver(board, jobs, templates, inputs, durable, progress, runner, transitions,
        backendHealth, listeners, role, clock);
    board.handOverWith(handOver::dispatch);
    recovery = new Recovery(board, jobs, templates, transitions, runner);
    intake = new Intake(board, jobs, templates, inputs, webhooks, queries, eta, clock, c.idempotencyRetention());
    housekeeping = new Housekeeping(jobs, uploads, clock, c.idempotencyRetention(), c.uploadLimits().retention());
    if (role.shared()) {
      FeedFollower follower = new FeedFollower(board, jobs, transitions, interrupts, listeners, role.instanceId);
      coordinator = new Coordinator(role, w.cluster(), w.feed(), board, recovery, follower, interrupts,
          c.clusterHeartbeat(), c.clusterLease(), ClusterRole.hostName(), ClusterRole.version());
      listeners.add(new ProgressPublisher(w.feed(), role));
    } else {
      coordinator = null;
    }

    health = healthMonitor(c, w.database());
    purger = new TrashPurger(images, c.outputDir());
    sweeper = TrashSweeper.start(purger, c.trashRetention(), c.trashSweepInterval(), clock);
  }

  /** What {@link #open} filled in where the configuration left parts open, and what the engine then owns. */
  private record Wired(TemplateRegistry templates, LlmClient llm, Database database, JobStore jobs, ImageStore images,
      Uploads uploads, List<AutoCloseable> owned, ClusterRole role, ClusterStore cluster, JobFeed feed) {}

  /**
   * Fills in what the configuration left open (the shipped templates, a disabled LLM helper),
   * opens the database unless stores were given (the engine then owns it), and wires the parts.
   * The configuration is not changed.
   *
   * @throws io.comfygate.errors.StoreException if the database cannot be opened
   */
  static EngineParts open(EngineConfig c) {
    TemplateRegistry templates = c.templates() != null ? c.templates() : TemplateRegistry.shipped();
    LlmClient llm = c.llm() != null ? c.llm() : LlmClient.disabled("LLM disabled (LLM_BASE_URL not set)");
    List<AutoCloseable> owned = new ArrayList<>();
    String instanceId = c.instanceId() != null ? c.instanceId() : ClusterRole.defaultInstanceId();
    ClusterRole role = ClusterRole.alone(instanceId);
    ClusterStore cluster = null;
    JobFeed feed = null;
    Database database = c.database();
    JobStore jobs = c.jobStore();
    ImageStore images = c.imageStore();
    if (jobs == null) {
      if (database == null) {
        Database.Builder opening = Database.builder(c.location());
        if (c.dbPassword() != null) {
          opening.password(c.dbPassword().value());
        }
        database = opening.build();
        owned.add(database);
      }
      JobChangeHook hook = c.webhooks() == null ? JobChangeHook.NONE : c.webhooks().storeHook();
      if (database.isPostgresql()) {
        // Several instances may share it: one dispatches, chosen through the database.
        cluster = new ClusterStore(database);
        feed = new JobFeed(database, instanceId);
        owned.add(feed); // closed before the database: owned things close in reverse order
        role = ClusterRole.shared(instanceId, cluster);
      }
      jobs = new JdbcJobStore(database, hook, feed, role.storeFence());
      images = new JdbcImageStore(database);
    }
    Uploads uploads = c.uploads();
    if (uploads == null && database != null) {
      uploads = new Uploads(database.uploads(), c.outputDir().resolve("uploads"), c.uploadLimits(), c.clock());
    }
    try {
      return new EngineParts(c, new Wired(templates, llm, database, jobs, images, uploads, owned, role, cluster, feed));
    } catch (RuntimeException e) {
      for (AutoCloseable o : owned) {
        try {
          o.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** One per server, named by its host:port, each with its own client and sender thread. */
  private static List<Backend> backends(EngineConfig c) {
    List<Backend> out = new ArrayList<>();
    for (URI server : c.servers()) {
      ComfyClient client = c.clientCustomizer().apply(ComfyClient.builder()
          .baseUrl(server.toString())
          .connectTimeout(c.httpConnectTimeout())
          .readTimeout(c.httpReadTimeout())
          .wsConnectTimeout(c.wsConnectTimeout())
          .wsIdleTimeout(c.wsIdleTimeout())).build();
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
  private HealthMonitor healthMonitor(EngineConfig c, Database database) {
    Duration backendTimeout = c.httpConnectTimeout().plus(c.httpReadTimeout());
    HealthMonitor.Builder monitor = HealthMonitor.builder().clock(clock).refreshEvery(probeInterval);
    for (Backend backend : board.backends()) {
      monitor.add(Checks.of(BackendHealth.CHECK_PREFIX + backend.name, backendTimeout, () -> {
        String version = backend.client.systemStats().comfyuiVersion();
        return "ComfyUI " + (version == null ? "(version unknown)" : version) + " answers";
      }));
    }
    if (database != null) {
      monitor.add(Checks.jdbcWriteProbe(database.writeDataSource()));
    }
    monitor.add(Checks.diskFree(c.outputDir(), c.diskMinFreeMb()));
    monitor.add(Checks.llm(llm));
    c.extraChecks().forEach(monitor::add);
    monitor.listener(backendHealth::onHealthChange);
    return monitor.build();
  }

  void start() {
    seedRunTimes();
    if (coordinator != null) {
      coordinator.start(); // a follower's view; the dispatcher's recovery if it takes the lease
    } else {
      recovery.recover();
    }
    health.check(); // backends found DOWN now get nothing from the first submit on
    every(Duration.ofMillis(TIMEOUT_CHECK_MILLIS), Duration.ofMillis(TIMEOUT_CHECK_MILLIS), interrupts::checkTimeouts);
    every(probeInterval, probeInterval, this::reviveBackends);
    if (uploads != null) {
      every(uploadSweepInterval, uploadSweepInterval, housekeeping::sweepUploads);
    }
    every(Duration.ZERO, IDEMPOTENCY_PURGE_INTERVAL, housekeeping::purgeIdempotencyKeys);
    LOG.atInfo().setMessage("engine_start").addKeyValue("event", "engine_start")
        .addKeyValue("backends", board.backends().stream().map(b -> b.name).toList())
        .addKeyValue("instance", role.instanceId).addKeyValue("role", role.dispatching() ? "dispatcher" : "follower").log();
  }

  /** The ETA starts from the run times of the jobs that ended before this start, not from a guess. */
  private void seedRunTimes() {
    try {
      for (io.comfygate.templates.Template template : templates.all()) {
        List<Duration> times = jobs.recentRunTimes(template.name(), ETA_WINDOW);
        for (int i = times.size() - 1; i >= 0; i--) { // oldest first, as they happened
          eta.record(template.name(), times.get(i));
          eta.record("*", times.get(i));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("could not read recent run times for the ETA; starting from the default guess", e);
    }
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

  /** The instances on this engine's database and which one dispatches. */
  ClusterStatus cluster() {
    if (coordinator != null) {
      return coordinator.status();
    }
    ClusterStatus.Instance self = new ClusterStatus.Instance(role.instanceId, ClusterRole.hostName(),
        ClusterRole.version(), ClusterStatus.Role.DISPATCHER, startedAt, clock.instant(), closed.get() ? clock.instant() : null);
    return new ClusterStatus(role.instanceId, false, java.util.Optional.of(role.instanceId), null, List.of(self));
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
    if (coordinator != null) {
      coordinator.stop(); // no renewal nor acquisition from now on; the lease is released below
    }
    health.close();
    sweeper.close();
    NamedThreads.shutdown(timer, CLOSE_WAIT, "engine timer");
    workers.close();
    for (Backend b : board.backends()) {
      NamedThreads.shutdown(b.sender, CLOSE_WAIT, "engine dispatch to " + b.name);
    }
    if (coordinator != null) {
      coordinator.close(); // nothing is sent any more: another instance may take over at once
    }
    for (Backend b : board.backends()) {
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
