package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.client.ComfyClient;
import io.comfygate.config.Settings;
import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.events.Subscription;
import io.comfygate.health.HealthCheck;
import io.comfygate.health.HealthReport;
import io.comfygate.jobs.JobId;
import io.comfygate.llm.LlmClient;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.PurgeResult;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.uploads.Uploads;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job engine: takes image jobs from many users, queues them fairly within per-user limits,
 * hands them to one or more ComfyUI backends, follows them to the end (progress, timeout, cancel)
 * and records their outputs. Create one per application, share it, close it on shutdown.
 *
 * <p><b>Durability.</b> Every state change is committed to the {@link JobStore} before it is
 * announced to listeners. A job is recorded as handed to its backend before it is sent, under a
 * {@code prompt_id} derived from its id, so after a crash or restart it is found again on that
 * backend and never sent twice: queued jobs resume, dispatched and running ones are reconciled with
 * the backend's queue and history.
 *
 * <p><b>Scheduling.</b> The store is the queue's truth: a submit is committed (its idempotency key
 * and the user's waiting limit checked in the same transaction, shared with concurrent submits)
 * without the scheduling lock. The engine's memory is a cache of it, owned by one object that takes
 * one lock to place the committed job in the waiting room ({@link io.comfygate.queue.FairQueue}),
 * decide which jobs go to which backend, and release it before anything is sent; no SQL, HTTP or
 * listener call happens under that lock. Each backend gets up to two jobs: one running and one
 * waiting in ComfyUI's own queue, so the GPU never waits for us between two jobs. The package
 * documentation follows one job from submit to its image.
 *
 * <p><b>Several instances.</b> On PostgreSQL, several engines (one per ComfyGate instance) may
 * share one database: all accept submits, cancels and reads, and the one holding the dispatcher
 * lease drives every backend; the others follow its work through the database, so each one's
 * listeners see every job. See {@link #cluster()} and the package documentation.
 *
 * <p><b>Threads.</b> Named daemon threads {@code comfygate-engine-*} (dispatch, outputs, cancel,
 * and on PostgreSQL {@code comfygate-engine-cluster}),
 * {@code comfygate-job-events-1} (listeners, in order), {@code comfygate-engine-timer-1}
 * (timeouts, backend probes), plus each backend client's own. {@link #close()} stops them all.
 *
 * <p>This class is the public face only; the work is done by package-private parts wired in
 * {@code EngineParts}: {@code Intake} (submit), {@code JobBoard} (the fair queue and slots),
 * {@code HandOver} (sending a job), {@code JobRunner} and {@code ProgressTracker} (following it),
 * {@code Transitions} (recording its changes), {@code Interrupts} (cancel, timeout),
 * {@code BackendHealth}, {@code Recovery} (after a restart) and {@code Queries}.
 */
public final class JobEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);
  private static final Duration PRECHECK_BUDGET = Duration.ofMillis(1500);
  private static final Duration HEALTH_BUDGET = Duration.ofSeconds(5);

  private final EngineParts parts;

  private JobEngine(EngineParts parts) {
    this.parts = parts;
  }

  /** A builder with the defaults of SPEC §3; {@link Builder#settings(Settings)} fills it from settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** An engine configured from the environment ({@link Settings#fromEnv()}), with its own SQLite store. */
  public static JobEngine fromEnv() {
    return builder().settings(Settings.fromEnv()).build();
  }

  // ------------------------------------------------------------------------------------ submit

  /**
   * Validates, stores and queues a job.
   *
   * @param template a template name, or {@code null} for the default template
   * @param params the job's parameters as a JSON object (may be null: defaults only)
   * @return the job as stored, with its queue position and ETA
   * @throws io.comfygate.errors.InvalidParamsException bad parameters or unknown template (nothing stored)
   * @throws QuotaExceededException the user has MAX_PER_USER_QUEUE waiting jobs already (nothing stored)
   * @throws ServiceUnavailableException no ComfyUI backend is healthy (nothing stored)
   */
  public Job submit(String userId, String template, JsonNode params) {
    return submit(userId, template, params, SubmitOptions.none()).job();
  }

  /**
   * Validates, stores and queues a job, with an idempotency key and a webhook target if the
   * options name them (see {@link SubmitOptions#withIdempotencyKey} and {@link
   * SubmitOptions#withWebhook}). A refused submit (bad parameters, over the limit, no backend)
   * stores nothing, so it does not use up the key: the same key may be sent again once the cause is
   * fixed.
   *
   * @param template a template name, or {@code null} for the default template
   * @param params the job's parameters as a JSON object (may be null: defaults only)
   * @param options {@link SubmitOptions#none()} for a plain submit
   * @return the new job, or the one the idempotency key named ({@link Submission#replayed()}), with
   *     its queue position and ETA
   * @throws IdempotencyKeyReusedException the key was used for a different request (nothing stored)
   * @throws io.comfygate.errors.InvalidParamsException bad parameters or unknown template (nothing stored)
   * @throws QuotaExceededException the user has MAX_PER_USER_QUEUE waiting jobs already (nothing stored)
   * @throws ServiceUnavailableException no ComfyUI backend is healthy (nothing stored)
   * @throws IllegalStateException a webhook is given but the engine was built without {@link Builder#webhooks}
   */
  public Submission submit(String userId, String template, JsonNode params, SubmitOptions options) {
    Objects.requireNonNull(options, "options");
    ensureOpen();
    return parts.intake.submit(userId, template, params, options);
  }

  /**
   * Cancels a job: a waiting one is removed at once; one on a backend is deleted from ComfyUI's
   * queue or interrupted there (only that prompt), and ends {@code cancelled} when ComfyUI
   * confirms. A job that has already ended is returned unchanged.
   *
   * @param userId the caller; {@code null} for an administrator (any user's job)
   * @throws JobNotFoundException no such job, or not the caller's
   */
  public Job cancel(JobId id, String userId) {
    ensureOpen();
    return parts.interrupts.cancel(id, userId);
  }

  // -------------------------------------------------------------------------------- queries

  /**
   * One job, for its owner or an administrator.
   *
   * @param userId the caller; {@code null} for an administrator
   * @throws JobNotFoundException no such job, or not the caller's
   */
  public Job get(JobId id, String userId) {
    return parts.queries.get(id, userId);
  }

  /** One job by id, for any user. */
  public Optional<Job> find(JobId id) {
    return parts.queries.find(id);
  }

  /** A user's jobs, newest first. */
  public Page<Job> list(String userId, PageRequest page) {
    return parts.queries.list(userId, page);
  }

  /**
   * Waits until a job has ended (succeeded, failed, timeout or cancelled) and returns it, images
   * included.
   *
   * @throws JobNotFoundException no such job
   * @throws io.comfygate.errors.ComfyTimeoutException it has not ended within {@code timeout} (it goes on)
   * @throws io.comfygate.errors.ComfyInterruptedException the thread was interrupted (flag restored)
   */
  public Job await(JobId id, Duration timeout) {
    return parts.queries.await(id, timeout);
  }

  /** The latest preview image of a running job, if ComfyUI sent one. */
  public Optional<Preview> preview(JobId id, String userId) {
    return parts.queries.preview(id, userId);
  }

  /**
   * The instances sharing this engine's database and which one holds the dispatcher lease (it
   * drives every backend), with each one's host, version, role and last heartbeat; for the admin
   * status, the admin page and metrics. On SQLite: this instance alone, the dispatcher. Reads the
   * database (two short queries) on PostgreSQL.
   */
  public ClusterStatus cluster() {
    return parts.cluster();
  }

  /** Each backend's state right now, as the admin queue view and health checks show it. */
  public List<BackendStatus> backends() {
    return parts.queries.backends();
  }

  /**
   * Waiting jobs per user and each backend's queued and running jobs, right now. Cheap (counts
   * only, one short hold of the scheduling lock): meant for metrics scrapes and dashboards.
   */
  public QueueDepth queueDepth() {
    return parts.queries.queueDepth();
  }

  /** Jobs waiting for a backend, in the order they will be dispatched. */
  public List<Job> waitingJobs() {
    return parts.queries.waitingJobs();
  }

  // --------------------------------------------------------------------- health, stores, events

  /**
   * Every health check (each backend, database, disk, LLM): the background result when it is
   * recent, else a fresh round bounded by the checks' own timeouts. For /healthz and the banner.
   */
  public HealthReport health() {
    return parts.health.precheck(parts.probeInterval, HEALTH_BUDGET);
  }

  /**
   * The latest round of the background health checks, without running any; empty before the
   * first round has finished. Never blocks: for metrics, which must not wait on a hanging backend.
   */
  public Optional<HealthReport> lastHealth() {
    return parts.health.cached();
  }

  /**
   * The fast verdict for the Generate button: answers within 1.5 s even when a backend hangs
   * (a check that does not answer in time counts as down). The optional LLM helper is left out:
   * it does not make images.
   */
  public HealthReport precheck() {
    HealthReport report = parts.health.precheck(parts.probeInterval, PRECHECK_BUDGET);
    return new HealthReport(report.checks().stream().filter(c -> !c.name().equals("llm")).toList(), report.checkedAt());
  }

  /** The LLM prompt helper's client; {@link LlmClient#enabled()} is false when LLM_BASE_URL is not set. */
  public LlmClient llm() {
    return parts.llm;
  }

  /** The store of uploaded input images; empty when the engine was built on stores without a database. */
  public Optional<Uploads> uploads() {
    return Optional.ofNullable(parts.uploads);
  }

  /** The image store: galleries, trash, admin queries. */
  public ImageStore images() {
    return parts.images;
  }

  /**
   * Empties the trash now: the files of every image in the trash, then their rows (admin
   * purge-trash). Images whose file cannot be removed stay, and are listed in the result.
   */
  public PurgeResult purgeTrash() {
    ensureOpen();
    PurgeResult result = parts.purger.purgeAll();
    LOG.atInfo().setMessage("trash_purge").addKeyValue("event", "trash_purge").addKeyValue("purged", result.purged())
        .addKeyValue("bytes_freed", result.bytesFreed()).addKeyValue("failures", result.failures().size()).log();
    return result;
  }

  /** The folder image files live in (ImageStore paths are relative to it). */
  public Path outputDir() {
    return parts.outputs.outputDir();
  }

  public TemplateRegistry templates() {
    return parts.templates;
  }

  /** Adds a listener for every job's events; see {@link JobListener} for the threading rules. */
  public Subscription addListener(JobListener listener) {
    return parts.listeners.add(listener);
  }

  /**
   * Adds a listener for the {@link DispatchTiming} of every job ComfyUI accepts; see
   * {@link DispatchListener} for the threading rules.
   */
  public Subscription addDispatchListener(DispatchListener listener) {
    return parts.listeners.addDispatch(listener);
  }

  private void ensureOpen() {
    if (parts.closed.get()) {
      throw new ServiceUnavailableException("the job engine is shutting down");
    }
  }

  /**
   * Stops dispatching, then stops every thread and closes the backends' clients and what the
   * engine opened itself (its database). Jobs keep their stored state: queued and running jobs are
   * resumed by the next engine on the same store. Idempotent; waits a bounded time.
   */
  @Override
  public void close() {
    parts.close();
  }

  /** A preview image and its MIME type. */
  public record Preview(byte[] bytes, String mimeType) {}

  /**
   * One backend as the admin queue view shows it.
   *
   * @param jobs the jobs handed to it, running first
   */
  public record BackendStatus(String name, boolean healthy, String reason, List<Job> jobs) {}

  /** Configures a {@link JobEngine}; {@link #build()} opens the store and recovers unfinished jobs. */
  public static final class Builder {
    // Package-private: EngineParts reads them when it wires the engine.
    Clock clock = Clock.systemUTC();
    List<URI> servers = List.of(URI.create("http://127.0.0.1:8188"));
    Path outputDir = Path.of("outputs");
    String location = "db/app_data.db";
    DbPassword dbPassword;
    JobStore jobStore;
    ImageStore imageStore;
    TemplateRegistry templates;
    QuotaPolicy quota = new QuotaPolicy(3, 1);
    Duration jobTimeout = Duration.ofSeconds(180);
    Duration httpConnectTimeout = Duration.ofSeconds(3);
    Duration httpReadTimeout = Duration.ofSeconds(10);
    Duration wsConnectTimeout = Duration.ofSeconds(5);
    Duration wsIdleTimeout = Duration.ofSeconds(120);
    Duration probeInterval = Duration.ofSeconds(5);
    int progressLogStep = 20;
    Duration progressLogMinInterval = Duration.ofSeconds(1);
    org.slf4j.event.Level progressLogLevel = org.slf4j.event.Level.INFO;
    UnaryOperator<ComfyClient.Builder> clientCustomizer = UnaryOperator.identity();
    long diskMinFreeMb = 1024;
    Duration trashRetention = Duration.ofDays(30);
    Duration trashSweepInterval = Duration.ofHours(1);
    Uploads uploads;
    io.comfygate.uploads.UploadLimits uploadLimits = io.comfygate.uploads.UploadLimits.DEFAULTS;
    Duration idempotencyRetention = Duration.ofHours(24);
    LlmClient llm;
    final List<HealthCheck> extraChecks = new ArrayList<>();
    io.comfygate.store.jdbc.Database database;
    io.comfygate.webhooks.Webhooks webhooks;
    String instanceId;
    Duration clusterHeartbeat = Duration.ofSeconds(1);
    Duration clusterLease = Duration.ofSeconds(5);

    private Builder() {}

    /** Takes every engine setting from {@code settings} (backends, paths, limits, timeouts, logging). */
    public Builder settings(Settings s) {
      servers = s.comfyUiServers();
      outputDir = s.outputDir();
      location = s.jobDbLocation(); // a path: its folder is created
      dbPassword = s.jobDbPassword().map(DbPassword::new).orElse(null);
      quota = new QuotaPolicy(s.maxPerUserQueue(), s.maxPerUserConcurrent());
      jobTimeout = s.jobTimeout();
      httpConnectTimeout = s.comfyHttpConnectTimeout();
      httpReadTimeout = s.comfyHttpReadTimeout();
      wsConnectTimeout = s.comfyWsConnectTimeout();
      wsIdleTimeout = s.comfyWsIdleTimeout();
      progressLogStep = s.progressLogStep();
      progressLogMinInterval = s.progressLogMinInterval();
      progressLogLevel = org.slf4j.event.Level.valueOf(s.progressLogLevel().name());
      templates = TemplateRegistry.load(s.templateDir().orElse(null), s.defaultTemplate());
      diskMinFreeMb = s.healthzDiskMinFreeMb();
      probeInterval = s.healthCheckInterval();
      trashRetention = s.trashRetention();
      trashSweepInterval = s.trashSweepInterval();
      uploadLimits = new io.comfygate.uploads.UploadLimits(s.uploadMaxBytes(), s.uploadMaxPixels(), s.uploadMaxPerUser(),
          s.uploadMaxBytesPerUser(), s.uploadRetention());
      idempotencyRetention = s.idempotencyRetention();
      instanceId = s.instanceId().orElse(null);
      clusterHeartbeat = s.clusterHeartbeat();
      clusterLease = s.clusterLease();
      llm = LlmClient.fromSettings(s.llmBaseUrl().map(URI::toString).orElse(""), s.llmModel(), s.llmApiKey(), s.llmTimeout());
      return this;
    }

    /**
     * How this instance takes part when several share one PostgreSQL database (ignored on SQLite,
     * where the engine is alone and always dispatches): its id (INSTANCE_ID; {@code null} = host
     * name and a random suffix), how often it heartbeats (CLUSTER_HEARTBEAT_SECONDS, default 1 s)
     * and how long the dispatcher lease lasts unless renewed (CLUSTER_LEASE_SECONDS, default 5 s;
     * at least twice the heartbeat): a dead dispatcher is replaced within about the lease.
     */
    public Builder cluster(String instanceId, Duration heartbeat, Duration lease) {
      if (instanceId != null && instanceId.isBlank()) {
        throw new IllegalArgumentException("instanceId must not be blank (null = the default)");
      }
      this.instanceId = instanceId;
      this.clusterHeartbeat = positive(heartbeat, "cluster heartbeat");
      this.clusterLease = positive(lease, "cluster lease");
      return this;
    }

    /** Health fails when the output folder's disk has less free space than this (HEALTHZ_DISK_MIN_FREE_MB). */
    public Builder diskMinFreeMb(long mb) {
      if (mb < 0) {
        throw new IllegalArgumentException("diskMinFreeMb must be >= 0: " + mb);
      }
      this.diskMinFreeMb = mb;
      return this;
    }

    /** Trashed images older than {@code retention} are purged every {@code interval} (TRASH_RETENTION_DAYS, TRASH_SWEEP_INTERVAL_MINUTES). */
    public Builder trash(Duration retention, Duration interval) {
      if (retention.isNegative()) {
        throw new IllegalArgumentException("trash retention must be >= 0: " + retention);
      }
      this.trashRetention = retention;
      this.trashSweepInterval = positive(interval, "trash sweep interval");
      return this;
    }

    /**
     * Uploaded input images: at most {@code maxBytes} each, removed {@code retention} after upload
     * (UPLOAD_MAX_BYTES, UPLOAD_RETENTION_HOURS), checked on the trash sweep's schedule. They are
     * kept in the folder {@code uploads} of the output folder, recorded in the engine's database.
     */
    public Builder uploadLimits(long maxBytes, Duration retention) {
      if (maxBytes < 1) {
        throw new IllegalArgumentException("upload max bytes must be > 0: " + maxBytes);
      }
      this.uploadLimits = uploadLimits.withMaxBytes(maxBytes).withRetention(positive(retention, "upload retention"));
      return this;
    }

    /**
     * Every limit on uploaded input images: per file (bytes, pixels), per user (uploads and bytes
     * kept at once) and how long they are kept (UPLOAD_* settings; {@link #settings} sets them all).
     */
    public Builder uploadLimits(io.comfygate.uploads.UploadLimits limits) {
      this.uploadLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Use this upload store (the caller keeps ownership); by default one on the engine's database. */
    public Builder uploads(Uploads uploads) {
      this.uploads = Objects.requireNonNull(uploads, "uploads");
      return this;
    }

    /**
     * How long an idempotency key of a submit is remembered (IDEMPOTENCY_RETENTION_HOURS, default
     * 24 h): within it, the same key returns the first job; after it, the key is free again.
     */
    public Builder idempotencyRetention(Duration retention) {
      this.idempotencyRetention = positive(retention, "idempotencyRetention");
      return this;
    }

    /** The LLM prompt helper's client (the engine closes it); disabled when not set. */
    public Builder llm(LlmClient client) {
      this.llm = Objects.requireNonNull(client, "llm");
      return this;
    }

    /** A further health check, shown on /healthz and the banner (the engine closes it if closeable). */
    public Builder healthCheck(HealthCheck check) {
      this.extraChecks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    /** ComfyUI base URLs, one per backend. */
    public Builder servers(Collection<URI> servers) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("servers must not be empty");
      }
      this.servers = List.copyOf(servers);
      return this;
    }

    public Builder outputDir(Path dir) {
      this.outputDir = Objects.requireNonNull(dir, "outputDir");
      return this;
    }

    /**
     * A SQLite file path, a {@code jdbc:sqlite:} URL, or a {@code jdbc:postgresql:} URL without a
     * password (for one, open the {@link io.comfygate.store.Stores} yourself and pass them to
     * {@link #database(io.comfygate.store.Stores)}); ignored when stores are given.
     */
    public Builder database(String location) {
      this.location = Objects.requireNonNull(location, "database");
      return this;
    }

    /**
     * Use this open database (its job and image stores, and its writer for the health probe); the
     * caller keeps ownership and closes it after the engine.
     */
    public Builder database(io.comfygate.store.Stores db) {
      this.database = io.comfygate.store.jdbc.Database.of(Objects.requireNonNull(db, "db"));
      this.jobStore = null; // made in build(), with the webhook hook if there is one
      this.imageStore = null;
      return this;
    }

    /**
     * Send job events to webhooks through this outbox (built on the same database): its rows are
     * written inside the store's transactions. Needs the engine's own JDBC store ({@link
     * #database}), not {@link #stores}. The caller keeps ownership and closes it after the engine.
     */
    public Builder webhooks(io.comfygate.webhooks.Webhooks webhooks) {
      this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
      return this;
    }

    /** Use these stores instead of opening {@link #database(String)}; the caller keeps ownership. */
    public Builder stores(JobStore jobStore, ImageStore imageStore) {
      this.jobStore = Objects.requireNonNull(jobStore, "jobStore");
      this.imageStore = Objects.requireNonNull(imageStore, "imageStore");
      return this;
    }

    public Builder templates(TemplateRegistry templates) {
      this.templates = Objects.requireNonNull(templates, "templates");
      return this;
    }

    public Builder quota(QuotaPolicy quota) {
      this.quota = Objects.requireNonNull(quota, "quota");
      return this;
    }

    public Builder jobTimeout(Duration timeout) {
      this.jobTimeout = positive(timeout, "jobTimeout");
      return this;
    }

    /** How often the health checks run in the background, backends included (default 5 s). */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = positive(interval, "probeInterval");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Adjusts each backend client's builder (after the engine's settings are applied). */
    public Builder clientCustomizer(UnaryOperator<ComfyClient.Builder> customizer) {
      this.clientCustomizer = Objects.requireNonNull(customizer, "clientCustomizer");
      return this;
    }

    /** Progress log lines: every {@code step} percent, at most once per {@code minInterval}, at {@code level}. */
    public Builder progressLog(int step, Duration minInterval, org.slf4j.event.Level level) {
      if (step < 1 || step > 100) {
        throw new IllegalArgumentException("progress log step must be 1..100: " + step);
      }
      this.progressLogStep = step;
      this.progressLogMinInterval = Objects.requireNonNull(minInterval, "minInterval");
      this.progressLogLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0: " + d);
      }
      return d;
    }

    /**
     * Opens the store (unless given), recovers unfinished jobs and starts dispatching. Takes an
     * immutable copy of this builder and never changes it: each call builds an independent engine
     * (with its own database unless one was given).
     *
     * @throws io.comfygate.errors.StoreException if the database cannot be opened
     */
    public JobEngine build() {
      JobEngine engine = new JobEngine(EngineParts.open(EngineConfig.of(this)));
      try {
        engine.parts.start();
        return engine;
      } catch (RuntimeException e) {
        engine.close();
        throw e;
      }
    }
  }
}
