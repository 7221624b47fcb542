package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.client.ComfyClient;
import io.comfygate.client.PromptHandle;
import io.comfygate.client.PromptOutcome;
import io.comfygate.client.PromptRequest;
import io.comfygate.client.QueueSnapshot;
import io.comfygate.config.Settings;
import io.comfygate.errors.ComfyException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.errors.ComfyValidationException;
import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.errors.StoreException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.health.Checks;
import io.comfygate.health.HealthChange;
import io.comfygate.health.HealthCheck;
import io.comfygate.health.HealthMonitor;
import io.comfygate.health.HealthReport;
import io.comfygate.health.Status;
import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.jobs.JobId;
import io.comfygate.llm.LlmClient;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.FairQueue;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.IdempotencyRecord;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.PurgeResult;
import io.comfygate.store.TrashPurger;
import io.comfygate.store.TrashSweeper;
import io.comfygate.store.StoredImage;
import io.comfygate.store.StoredJob;
import io.comfygate.templates.BoundWorkflow;
import io.comfygate.templates.Template;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.uploads.Uploads;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p><b>Scheduling.</b> One lock guards the waiting room ({@link FairQueue}), the backends' slots
 * and the active jobs; decisions are taken under it and acted on (HTTP calls, listeners) after it
 * is released. Each backend gets up to {@link Backend#CAPACITY} jobs: one running and one waiting in
 * ComfyUI's own queue, so the GPU never waits for us between two jobs.
 *
 * <p><b>Threads.</b> Named daemon threads {@code comfygate-engine-*} (dispatch, outputs, cancel),
 * {@code comfygate-job-events-1} (listeners, in order), {@code comfygate-engine-timer-1}
 * (timeouts, backend probes), plus each backend client's own. {@link #close()} stops them all.
 */
public final class JobEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  /** How long ComfyUI gets to honour an interrupt before a timed-out job is ended here anyway. */
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(15);
  private static final Duration PRECHECK_BUDGET = Duration.ofMillis(1500);
  private static final Duration IDEMPOTENCY_PURGE_INTERVAL = Duration.ofHours(1);
  /** Health check names of backends: this prefix and the backend's host:port. */
  static final String BACKEND_CHECK = "comfyui:";

  private final Clock clock;
  private final JobStore jobs;
  private final ImageStore images;
  private final TemplateRegistry templates;
  private final Duration jobTimeout;
  private final Duration probeInterval;
  private final Duration idempotencyRetention;
  private final FairQueue<JobId> waiting;
  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final Map<JobId, ActiveJob> active = new HashMap<>();
  private final Object lock = new Object();
  private final EtaEstimator eta = new EtaEstimator(20, Duration.ofSeconds(30));
  private final OutputCollector outputs;
  private final JobEventLogger eventLog;
  private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
  private final List<DispatchListener> dispatchListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService workers;
  private final ExecutorService events;
  private final ScheduledExecutorService timer;
  private final List<AutoCloseable> owned;
  private final HealthMonitor health;
  private final LlmClient llm;
  private final TrashPurger purger;
  private final TrashSweeper sweeper;
  private final io.comfygate.webhooks.Webhooks webhooks;
  private final Uploads uploads;
  private final InputForwarder inputs;
  private final Duration uploadRetention;
  private final Duration uploadSweepInterval;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JobEngine(Builder b) {
    this.clock = b.clock;
    this.jobs = b.jobStore;
    this.images = b.imageStore;
    this.templates = b.templates;
    this.jobTimeout = b.jobTimeout;
    this.probeInterval = b.probeInterval;
    this.idempotencyRetention = b.idempotencyRetention;
    this.waiting = new FairQueue<>(b.quota);
    this.outputs = new OutputCollector(b.outputDir);
    this.eventLog = new JobEventLogger(b.progressLogStep, b.progressLogMinInterval, b.progressLogLevel, clock);
    this.owned = new ArrayList<>(b.owned);
    for (URI server : b.servers) {
      ComfyClient client = b.clientCustomizer.apply(ComfyClient.builder()
          .baseUrl(server.toString())
          .connectTimeout(b.httpConnectTimeout)
          .readTimeout(b.httpReadTimeout)
          .wsConnectTimeout(b.wsConnectTimeout)
          .wsIdleTimeout(b.wsIdleTimeout)).build();
      String name = server.getAuthority();
      backends.put(name, new Backend(name, client,
          Executors.newSingleThreadExecutor(NamedThreads.factory("engine-dispatch"))));
    }
    this.workers = Executors.newCachedThreadPool(NamedThreads.factory("engine"));
    this.events = Executors.newSingleThreadExecutor(NamedThreads.factory("job-events"));
    this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("engine-timer"));
    listeners.add(eventLog);
    this.webhooks = b.webhooks;
    if (webhooks != null) {
      // The outbox rows are committed with each change (the store's hook); this only wakes the deliverer.
      listeners.add(event -> {
        if (!(event instanceof JobEvent.Progress)) {
          webhooks.nudge();
        }
      });
    }
    this.llm = b.llm;
    this.health = healthMonitor(b);
    this.purger = new TrashPurger(images, b.outputDir);
    this.sweeper = TrashSweeper.start(purger, b.trashRetention, b.trashSweepInterval, clock);
    this.uploads = b.uploads;
    this.inputs = new InputForwarder(b.uploads);
    this.uploadRetention = b.uploadRetention;
    this.uploadSweepInterval = b.trashSweepInterval;
  }

  /**
   * One check per backend (system_stats within the HTTP timeouts), the database (a real write read
   * back), free disk under OUTPUT_DIR, the LLM helper (or "disabled"), refreshed in the background.
   * A backend whose check goes DOWN receives nothing new and its jobs end failed; UP again, it is
   * fed again.
   */
  private HealthMonitor healthMonitor(Builder b) {
    Duration backendTimeout = b.httpConnectTimeout.plus(b.httpReadTimeout);
    HealthMonitor.Builder monitor = HealthMonitor.builder().clock(clock).refreshEvery(probeInterval);
    for (Backend backend : backends.values()) {
      monitor.add(Checks.of(BACKEND_CHECK + backend.name, backendTimeout, () -> {
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
    monitor.listener(this::onHealthChange);
    return monitor.build();
  }

  private void onHealthChange(HealthChange change) {
    if (!change.check().startsWith(BACKEND_CHECK)) {
      if (change.to() == Status.DOWN) {
        LOG.atWarn().setMessage("health_change").addKeyValue("event", "health_change").addKeyValue("check", change.check())
            .addKeyValue("status", change.to().name()).addKeyValue("reason", change.result().reason()).log();
      }
      return;
    }
    Backend backend = backends.get(change.check().substring(BACKEND_CHECK.length()));
    if (backend == null) {
      return;
    }
    if (change.to() == Status.DOWN) {
      backendDown(backend, change.result().reason());
    } else if (change.to() == Status.UP) {
      backendUp(backend);
    }
  }

  /** A builder with the defaults of SPEC §3; {@link Builder#settings(Settings)} fills it from settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** An engine configured from the environment ({@link Settings#fromEnv()}), with its own SQLite store. */
  public static JobEngine fromEnv() {
    return builder().settings(Settings.fromEnv()).build();
  }

  private JobEngine start() {
    recover();
    health.check(); // backends found DOWN now get nothing from the first submit on
    timer.scheduleWithFixedDelay(this::checkTimeouts, 500, 500, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::reviveBackends, probeInterval.toMillis(), probeInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (uploads != null) {
      long sweep = uploadSweepInterval.toMillis();
      timer.scheduleWithFixedDelay(this::sweepUploads, sweep, sweep, TimeUnit.MILLISECONDS);
    }
    timer.scheduleWithFixedDelay(this::purgeIdempotencyKeys, 0, IDEMPOTENCY_PURGE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    LOG.atInfo().setMessage("engine_start").addKeyValue("event", "engine_start")
        .addKeyValue("backends", backends.keySet()).log();
    return this;
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
   * Validates, stores and queues a job, with the options given:
   *
   * <ul>
   *   <li>an idempotency key ({@link SubmitOptions#withIdempotencyKey}): when this user submitted
   *       the same request (template and params) under that key within the retention window
   *       (IDEMPOTENCY_RETENTION_HOURS), no job is created and that earlier job is returned as it is
   *       now ({@link Submission#replayed()}), even if the user is at the limit or no backend is
   *       healthy at the moment. The key is stored with the job in one transaction, so concurrent
   *       submits with one key (also from other engines on the same database) create one job, and a
   *       restart keeps the key.
   *   <li>a webhook target ({@link SubmitOptions#withWebhook}): the job's state changes are POSTed
   *       there; the subscription and the first event ({@code job.queued}) are written in the job's
   *       own insert, and every later event in the transaction of its change. See {@link
   *       io.comfygate.webhooks.Webhooks}. A replay subscribes nothing new.
   * </ul>
   *
   * <p>A refused submit (bad parameters, over the limit, no backend) stores nothing, so it does not
   * use up the key: the same key may be sent again once the cause is fixed.
   *
   * @param options {@link SubmitOptions#none()} for a plain submit
   * @return the new job, or the one the idempotency key named, with its queue position and ETA
   * @throws IdempotencyKeyReusedException the key was used for a different request (nothing stored)
   * @throws io.comfygate.errors.InvalidParamsException bad parameters or unknown template (nothing stored)
   * @throws QuotaExceededException the user has MAX_PER_USER_QUEUE waiting jobs already (nothing stored)
   * @throws ServiceUnavailableException no ComfyUI backend is healthy (nothing stored)
   * @throws IllegalStateException a webhook is given but the engine was built without {@link Builder#webhooks}
   */
  public Submission submit(String userId, String template, JsonNode params, SubmitOptions options) {
    Objects.requireNonNull(options, "options");
    IdempotencyKey key = options.idempotencyKey().orElse(null);
    io.comfygate.webhooks.WebhookTarget webhook = options.webhook().orElse(null);
    ensureOpen();
    if (webhook != null && webhooks == null) {
      throw new IllegalStateException("webhooks are not enabled on this engine (JobEngine.Builder.webhooks)");
    }
    requireUser(userId);
    Template t = templates.get(template);
    BoundWorkflow bound = t.bind(params, ThreadLocalRandom.current());
    inputs.checkOwned(t, bound.params(), userId);
    String fingerprint = key == null ? null : RequestFingerprint.of(t.name(), params);
    IdempotencyRecord earlier;
    List<ActiveJob> dispatch = List.of();
    Job snapshot = null;
    synchronized (lock) {
      Instant now = clock.instant();
      Instant notBefore = now.minus(idempotencyRetention);
      earlier = key == null ? null : jobs.findKey(userId, key.value(), notBefore).orElse(null);
      if (earlier == null) {
        if (backends.values().stream().noneMatch(b -> b.healthy)) {
          throw new ServiceUnavailableException("No ComfyUI backend is available: " + downReasons());
        }
        OptionalInt refusal = waiting.refusal(userId, freeSlots());
        if (refusal.isPresent()) {
          throw quotaExceeded(userId, refusal.getAsInt());
        }
        StoredJob stored = StoredJob.queued(JobId.generate(clock), userId, t.name(), bound.params().toString(), now);
        // Another engine on this database may have taken the key since the look-up above.
        earlier = insert(stored, key == null ? null
            : new IdempotencyRecord(userId, key.value(), fingerprint, stored.id(), now), notBefore, webhook).orElse(null);
        if (earlier == null) {
          ActiveJob job = new ActiveJob(stored, bound.workflow());
          active.put(stored.id(), job);
          waiting.add(userId, stored.id());
          Job enqueued = snapshotLocked(job);
          emit(new JobEvent.Enqueued(enqueued));
          dispatch = promoteLocked();
          snapshot = dispatch.contains(job) ? snapshotLocked(job) : enqueued;
        }
      }
    }
    if (earlier != null) {
      return replay(earlier, key, fingerprint);
    }
    dispatchAll(dispatch);
    return Submission.created(snapshot);
  }

  /** The job an idempotency key already names, if the request is the same one. */
  private Submission replay(IdempotencyRecord earlier, IdempotencyKey key, String fingerprint) {
    if (!earlier.requestHash().equals(fingerprint)) {
      throw new IdempotencyKeyReusedException(key.value(), earlier.jobId().value());
    }
    Job job = find(earlier.jobId()).orElseThrow(() -> new IllegalStateException(
        "idempotency key of " + earlier.userId() + " names job " + earlier.jobId() + ", which is not stored"));
    LOG.atInfo().setMessage("idempotent_replay").addKeyValue("event", "idempotent_replay")
        .addKeyValue("job_id", job.id().value()).addKeyValue("user_id", job.userId()).log();
    return Submission.replayed(job);
  }

  /** Forgets idempotency keys older than the retention window; runs at start and every hour. */
  private void purgeIdempotencyKeys() {
    try {
      int purged = jobs.purgeKeys(clock.instant().minus(idempotencyRetention));
      if (purged > 0) {
        LOG.atInfo().setMessage("idempotency_purge").addKeyValue("event", "idempotency_purge")
            .addKeyValue("purged", purged).log();
      }
    } catch (RuntimeException e) {
      // Thrown out of a scheduled task, it would cancel every later purge.
      LOG.warn("purging expired idempotency keys failed; next attempt in {}", IDEMPOTENCY_PURGE_INTERVAL, e);
    }
  }

  /**
   * Stores the job, with its idempotency key and its webhook subscription if any, in one
   * transaction; returns the key's earlier record instead if another submit holds it.
   */
  private Optional<IdempotencyRecord> insert(StoredJob stored, IdempotencyRecord key, Instant notBefore,
      io.comfygate.webhooks.WebhookTarget webhook) {
    if (webhook != null) {
      webhooks.expect(stored.id(), webhook); // taken up by the store's hook inside the insert
    }
    try {
      if (key == null) {
        jobs.insert(stored);
        return Optional.empty();
      }
      return jobs.insertWithKey(stored, key, notBefore);
    } finally {
      if (webhook != null) {
        webhooks.forget(stored.id());
      }
    }
  }

  private QuotaExceededException quotaExceeded(String userId, int limit) {
    Duration retry = eta.runTime("*").compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : eta.runTime("*");
    String message = limit == 0
        ? "You already have a job running; no more may wait (MAX_PER_USER_QUEUE=0). Try again when it ends."
        : "You already have " + limit + " jobs waiting, the most allowed (MAX_PER_USER_QUEUE=" + limit
            + "). Try again when one of them starts.";
    return new QuotaExceededException(userId, message, limit, retry.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  // ------------------------------------------------------------------------------ scheduling

  private int freeSlots() {
    int free = 0;
    for (Backend b : backends.values()) {
      free += b.freeSlots();
    }
    return free;
  }

  /** Takes waiting jobs for the free slots; the caller dispatches them after releasing the lock. */
  private List<ActiveJob> promoteLocked() {
    int free = freeSlots();
    if (free == 0 || closed.get()) {
      return List.of();
    }
    List<ActiveJob> out = new ArrayList<>();
    for (JobId id : waiting.promote(free)) {
      Backend target = backends.values().stream()
          .filter(b -> b.freeSlots() > 0)
          .min(Comparator.comparingInt(b -> b.dispatched.size()))
          .orElseThrow(() -> new IllegalStateException("promoted without a free slot"));
      ActiveJob job = active.get(id);
      target.dispatched.add(id);
      job.backend = target;
      job.dispatchedNanos = System.nanoTime();
      out.add(job);
    }
    return out;
  }

  private void dispatchAll(List<ActiveJob> jobsToSend) {
    for (ActiveJob job : jobsToSend) {
      try {
        job.backend.sender.execute(() -> dispatch(job));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing: the job stays recorded as queued and resumes at the next start
      }
    }
  }

  /** Records the job as handed to its backend, then sends it. */
  private void dispatch(ActiveJob job) {
    Backend backend = job.backend;
    JobId id = job.stored.id();
    if (!recordDurably("hand-over of " + id.value(), () -> jobs.assignBackend(id, null, backend.name))) {
      release(job); // cancelled while waiting for this thread
      return;
    }
    synchronized (lock) {
      job.stored = withBackend(job.stored, backend.name);
    }
    long started = System.nanoTime();
    try {
      PromptHandle handle = submitWithInputs(job, backend);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      LOG.atDebug().setMessage("dispatched").addKeyValue("event", "dispatch").addKeyValue("job_id", id.value())
          .addKeyValue("backend", backend.name).addKeyValue("prompt_id", job.stored.promptId())
          .addKeyValue("latency_ms", took.toMillis()).log();
      emitDispatched(new DispatchTiming(id, job.stored.userId(), job.stored.template(), backend.name,
          Duration.between(job.stored.createdAt(), clock.instant()), took));
      follow(job, handle);
    } catch (InputFailure e) {
      end(job, JobState.FAILED, e.getMessage());
    } catch (ComfyValidationException e) {
      end(job, JobState.FAILED, "ComfyUI refused the workflow: " + e.getMessage());
    } catch (ComfyUnavailableException e) {
      // The request never reached ComfyUI: safe to send again later, elsewhere or here.
      requeue(job, backend);
      backendDown(backend, e.getMessage());
    } catch (ComfyTimeoutException | io.comfygate.errors.ComfyIoException e) {
      recoverAmbiguousDispatch(job, backend, e);
    } catch (RuntimeException e) {
      end(job, JobState.FAILED, "could not hand the job to ComfyUI at " + backend.name + ": " + e.getMessage());
    }
  }

  /**
   * Sends the job's input images to the backend (unless it has them), then the prompt. A backend
   * that refuses the workflow after being sent inputs earlier may have lost them (restarted in
   * between two health checks): they are sent again and the prompt once more.
   */
  private PromptHandle submitWithInputs(ActiveJob job, Backend backend) {
    Template template = templates.get(job.stored.template());
    if (!inputs.hasImages(template)) {
      return backend.client.submit(request(job, job.workflow), event -> onComfyEvent(job, event));
    }
    JsonNode params = params(job.stored);
    boolean sentBefore = inputs.sentBefore(template, params, backend);
    try {
      ObjectNode workflow = forwardInputs(template, params, job, backend);
      return backend.client.submit(request(job, workflow), event -> onComfyEvent(job, event));
    } catch (ComfyValidationException e) {
      backend.inputs.clear();
      if (!sentBefore) {
        throw e;
      }
      ObjectNode workflow = forwardInputs(template, params, job, backend);
      return backend.client.submit(request(job, workflow), event -> onComfyEvent(job, event));
    }
  }

  private ObjectNode forwardInputs(Template template, JsonNode params, ActiveJob job, Backend backend) {
    try {
      return inputs.prepare(template, params, job.workflow, backend);
    } catch (InputForwarder.InputUnavailable e) {
      throw new InputFailure(e.getMessage(), e);
    } catch (ComfyUnavailableException e) {
      throw e;
    } catch (ComfyException e) {
      throw new InputFailure("could not send its input image to ComfyUI at " + backend.name + ": " + e.getMessage(), e);
    }
  }

  private static PromptRequest request(ActiveJob job, ObjectNode workflow) {
    return PromptRequest.builder(workflow).promptId(job.stored.promptId()).build();
  }

  /** A job's input image could not be provided to its backend: the job fails with this reason. */
  private static final class InputFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Removes uploads older than UPLOAD_RETENTION_HOURS (on the trash sweep's schedule). */
  private void sweepUploads() {
    try {
      int removed = uploads.removeCreatedBefore(clock.instant().minus(uploadRetention));
      if (removed > 0) {
        LOG.atInfo().setMessage("upload_sweep").addKeyValue("event", "upload_sweep").addKeyValue("removed", removed).log();
      }
    } catch (RuntimeException e) {
      LOG.warn("upload sweep failed; next attempt at the next interval", e);
    }
  }

  /** The POST may or may not have reached ComfyUI: look before sending it again. */
  private void recoverAmbiguousDispatch(ActiveJob job, Backend backend, RuntimeException cause) {
    String promptId = job.stored.promptId();
    try {
      if (backend.client.queue().contains(promptId) || backend.client.history(promptId).isPresent()) {
        follow(job, backend.client.track(promptId));
      } else {
        requeue(job, backend);
      }
    } catch (RuntimeException e) {
      end(job, JobState.FAILED, "lost contact with ComfyUI at " + backend.name + " while handing over the job: "
          + cause.getMessage());
    }
  }

  private void requeue(ActiveJob job, Backend backend) {
    recordDurably("return to the queue of " + job.stored.id().value(),
        () -> jobs.assignBackend(job.stored.id(), backend.name, null));
    List<ActiveJob> next;
    synchronized (lock) {
      job.stored = withBackend(job.stored, null);
      backend.dispatched.remove(job.stored.id());
      job.backend = null;
      waiting.requeueFirst(job.stored.id());
      next = promoteLocked();
    }
    dispatchAll(next);
  }

  private void follow(ActiveJob job, PromptHandle handle) {
    ActiveJob.Ending wanted;
    synchronized (lock) {
      job.handle = handle;
      wanted = job.wanted;
    }
    if (wanted == ActiveJob.Ending.CANCEL) {
      stopOnBackend(job);
    }
    handle.completion().whenComplete((outcome, error) -> {
      if (error == null) {
        runWorker(() -> onOutcome(job, outcome));
      }
    });
  }

  private void runWorker(Runnable task) {
    try {
      workers.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("engine closing; dropped a task");
    }
  }

  // ---------------------------------------------------------------------------- while running

  private void onComfyEvent(ActiveJob job, ComfyEvent event) {
    String about = event.relatedPromptId().orElse(null);
    if (about != null && !about.equals(job.stored.promptId())) {
      return;
    }
    try {
      onJobEvent(job, event);
    } catch (StoreException e) {
      // The start is recorded again by the next event, or at the latest with the job's end.
      LOG.debug("could not record the start of {} yet: {}", job.stored.id(), e.getMessage());
    }
  }

  private void onJobEvent(ActiveJob job, ComfyEvent event) {
    if (event instanceof ComfyEvent.ExecutionStart) {
      markStarted(job);
    } else if (event instanceof ComfyEvent.Executing executing) {
      if (executing.node() != null && executing.promptId() != null) {
        markStarted(job);
        job.node = nodeLabel(job.workflow, executing.node());
        emitProgress(job, null, null);
      }
    } else if (event instanceof ComfyEvent.Progress progress) {
      if (progress.max() > 0) {
        int percent = (int) Math.min(99, Math.round(100.0 * progress.value() / progress.max()));
        job.percent = Math.max(job.percent, percent);
        if (progress.node() != null) {
          job.node = nodeLabel(job.workflow, progress.node());
        }
        emitProgress(job, null, null);
      }
    } else if (event instanceof ComfyEvent.Preview preview) {
      job.preview = preview.bytes();
      job.previewType = preview.mimeType();
      emitProgress(job, preview.bytes(), preview.mimeType());
    }
  }

  private static String nodeLabel(ObjectNode workflow, String nodeId) {
    String type = workflow.path(nodeId).path("class_type").asText("");
    return type.isEmpty() ? "#" + nodeId : type + " #" + nodeId;
  }

  private void emitProgress(ActiveJob job, byte[] preview, String previewType) {
    Job snapshot;
    synchronized (lock) {
      if (!active.containsKey(job.stored.id()) || job.stored.state() != JobState.RUNNING) {
        return;
      }
      snapshot = snapshotLocked(job);
    }
    emit(new JobEvent.Progress(snapshot, preview, previewType));
  }

  /** QUEUED → RUNNING once, when ComfyUI starts the prompt (or we learn it did). */
  private boolean markStarted(ActiveJob job) {
    Instant now = clock.instant();
    synchronized (lock) {
      if (job.stored.state() != JobState.QUEUED || !active.containsKey(job.stored.id())) {
        return false;
      }
      if (!jobs.transition(job.stored.id(), JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(now))) {
        return false;
      }
      job.stored = copy(job.stored, JobState.RUNNING, now, null, null);
      emit(new JobEvent.Started(snapshotLocked(job)));
      return true;
    }
  }

  // ------------------------------------------------------------------------------ the end

  private void onOutcome(ActiveJob job, PromptOutcome outcome) {
    ActiveJob.Ending wanted;
    synchronized (lock) {
      if (!active.containsKey(job.stored.id())) {
        return; // already ended here (backend down, timeout grace, cancel)
      }
      wanted = job.wanted;
    }
    if (outcome instanceof PromptOutcome.Succeeded succeeded) {
      releaseSlot(job);
      complete(job, succeeded);
    } else if (outcome instanceof PromptOutcome.Failed failed) {
      String where = failed.nodeId() == null ? "" : " in " + nodeLabel(job.workflow, failed.nodeId());
      String type = failed.exceptionType() == null ? "" : " (" + failed.exceptionType() + ")";
      end(job, JobState.FAILED, "ComfyUI failed" + where + type + ": " + failed.message());
    } else if (wanted == ActiveJob.Ending.TIMEOUT) {
      end(job, JobState.TIMEOUT, timeoutReason());
    } else if (wanted == ActiveJob.Ending.CANCEL) {
      end(job, JobState.CANCELLED, "cancelled");
    } else if (outcome instanceof PromptOutcome.Interrupted) {
      end(job, JobState.FAILED, "interrupted on ComfyUI by someone else");
    } else {
      end(job, JobState.FAILED, "vanished from ComfyUI's queue without a result (deleted there, or ComfyUI restarted)");
    }
  }

  private String timeoutReason() {
    return "ran longer than the job timeout of " + jobTimeout.toSeconds() + " s (JOB_TIMEOUT_SECONDS)";
  }

  private void complete(ActiveJob job, PromptOutcome.Succeeded succeeded) {
    Instant now = clock.instant();
    Backend backend = job.backend;
    List<NewImage> saved;
    try {
      saved = outputs.collect(backend.client, job.stored.id(), succeeded.history().outputs(), now);
    } catch (UncheckedIOException | ComfyException e) {
      end(job, JobState.FAILED, e.getMessage());
      return;
    }
    String what = "completion of " + job.stored.id().value();
    recordDurably(what, () -> markStarted(job)); // the start may have been missed while the socket was down
    Job snapshot = recordDurably(what, () -> {
      synchronized (lock) {
        if (!active.containsKey(job.stored.id()) || !jobs.completeJob(job.stored.id(), now, saved)) {
          return null;
        }
        job.stored = copy(job.stored, JobState.SUCCEEDED, null, now, null);
        job.percent = 100;
        if (job.stored.startedAt() != null) {
          eta.record(job.stored.template(), Duration.between(job.stored.startedAt(), now));
          eta.record("*", Duration.between(job.stored.startedAt(), now));
        }
        return snapshotLocked(job);
      }
    });
    if (snapshot == null) {
      outputs.discard(outputs.files(saved)); // ended otherwise meanwhile: nothing half-recorded
      return;
    }
    List<StoredImage> stored = images.listByJob(job.stored.id());
    emit(new JobEvent.Completed(withImages(snapshot, stored)));
    release(job);
  }

  /** Ends a job in a terminal state (if it is not already), then frees its slot. */
  private void end(ActiveJob job, JobState state, String reason) {
    Instant now = clock.instant();
    Job snapshot = recordDurably("end of " + job.stored.id().value(), () -> {
      synchronized (lock) {
        JobState from = job.stored.state();
        if (from.isTerminal() || !jobs.transition(job.stored.id(), from, state,
            JobUpdate.none().withFinishedAt(now).withError(reason))) {
          return null;
        }
        job.stored = copy(job.stored, state, null, now, reason);
        return snapshotLocked(job);
      }
    });
    if (snapshot != null) {
      emit(terminalEvent(snapshot));
    }
    release(job);
  }

  /**
   * Runs a write that records what ComfyUI has already done (a hand-over, a start, an end). Such a
   * write cannot be refused like a new submit: while the database cannot write (locked by another
   * program, or its disk full) it is tried again, with backoff, outside the engine's lock, until it
   * succeeds. If the engine closes meanwhile the error is thrown; the next start reconciles the job
   * from ComfyUI's history. Other store failures are thrown at once.
   */
  private <T> T recordDurably(String what, java.util.function.Supplier<T> write) {
    long pauseMillis = 50;
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (StoreException e) {
        if (!e.busy() || closed.get()) {
          throw e;
        }
        if (attempt == 1) {
          LOG.atWarn().setMessage("database cannot write yet (locked or full); retrying").addKeyValue("event", "store_retry")
              .addKeyValue("what", what).addKeyValue("reason", e.getMessage()).log();
        }
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseMillis = Math.min(pauseMillis * 2, 2000);
      }
    }
  }

  private static JobEvent terminalEvent(Job snapshot) {
    switch (snapshot.state()) {
      case FAILED:
        return new JobEvent.Failed(snapshot);
      case TIMEOUT:
        return new JobEvent.TimedOut(snapshot);
      case CANCELLED:
        return new JobEvent.Cancelled(snapshot);
      default:
        throw new IllegalArgumentException("not an error ending: " + snapshot.state());
    }
  }

  /** Forgets an ended job, freeing its slot and waiting place if that has not happened yet. */
  private void release(ActiveJob job) {
    releaseSlot(job);
    synchronized (lock) {
      active.remove(job.stored.id());
    }
  }

  /**
   * Frees the job's backend slot and its user's place, and dispatches what can go next. Called as
   * soon as ComfyUI is done with the job, before its outputs are fetched, so the next prompt is
   * already in ComfyUI's queue while we download: the GPU does not wait on our disk.
   */
  private void releaseSlot(ActiveJob job) {
    List<ActiveJob> next;
    synchronized (lock) {
      JobId id = job.stored.id();
      if (job.slotReleased || !active.containsKey(id)) {
        return;
      }
      job.slotReleased = true;
      if (job.backend != null) {
        job.backend.dispatched.remove(id);
      }
      if (!waiting.removeWaiting(id)) {
        waiting.finished(id);
      }
      next = promoteLocked();
    }
    dispatchAll(next);
  }

  // --------------------------------------------------------------------------- cancel, timeout

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
    Job snapshot;
    ActiveJob onBackend = null;
    synchronized (lock) {
      ActiveJob job = active.get(id);
      if (job == null) {
        return get(id, userId);
      }
      if (userId != null && !job.stored.userId().equals(userId)) {
        throw new JobNotFoundException(id.value());
      }
      if (waiting.position(id) >= 0) {
        Instant now = clock.instant();
        // Written first: if the database refuses, the job still waits and the caller gets the error.
        jobs.transition(id, JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(now).withError("cancelled"));
        waiting.removeWaiting(id);
        job.stored = copy(job.stored, JobState.CANCELLED, null, now, "cancelled");
        active.remove(id);
        snapshot = snapshotLocked(job);
        emit(new JobEvent.Cancelled(snapshot));
        return snapshot;
      }
      if (job.wanted == null) {
        job.wanted = ActiveJob.Ending.CANCEL;
        onBackend = job.handle != null ? job : null;
      }
      snapshot = snapshotLocked(job);
    }
    if (onBackend != null) {
      ActiveJob target = onBackend;
      runWorker(() -> stopOnBackend(target));
    }
    return snapshot;
  }

  /**
   * Takes the job off its backend: deleted from ComfyUI's queue if it waits there, interrupted
   * (that prompt only) if it runs. If the backend cannot be reached the job ends here at once.
   */
  private void stopOnBackend(ActiveJob job) {
    Backend backend = job.backend;
    String promptId = job.stored.promptId();
    try {
      QueueSnapshot queue = backend.client.queue();
      if (queue.pending().stream().anyMatch(i -> i.promptId().equals(promptId))) {
        backend.client.deleteFromQueue(List.of(promptId));
        queue = backend.client.queue(); // it may have started meanwhile
      }
      if (queue.running().stream().anyMatch(i -> i.promptId().equals(promptId))) {
        backend.client.interrupt(promptId);
      }
    } catch (ComfyException e) {
      end(job, job.wanted == ActiveJob.Ending.TIMEOUT ? JobState.TIMEOUT : JobState.CANCELLED,
          job.wanted == ActiveJob.Ending.TIMEOUT ? timeoutReason() : "cancelled (ComfyUI at " + backend.name
              + " could not be told: " + e.getMessage() + ")");
    }
  }

  private void checkTimeouts() {
    try {
      Instant now = clock.instant();
      List<ActiveJob> toInterrupt = new ArrayList<>();
      List<ActiveJob> overdue = new ArrayList<>();
      synchronized (lock) {
        for (ActiveJob job : active.values()) {
          Instant started = job.stored.startedAt();
          if (job.stored.state() != JobState.RUNNING || started == null) {
            continue;
          }
          if (job.wanted == null && !now.isBefore(started.plus(jobTimeout))) {
            job.wanted = ActiveJob.Ending.TIMEOUT;
            job.timeoutRequestedNanos = System.nanoTime();
            toInterrupt.add(job);
          } else if (job.wanted != null && job.timeoutRequestedNanos != 0
              && System.nanoTime() - job.timeoutRequestedNanos > INTERRUPT_GRACE.toNanos()) {
            overdue.add(job);
          }
        }
      }
      for (ActiveJob job : toInterrupt) {
        if (job.handle != null) {
          runWorker(() -> stopOnBackend(job));
        }
      }
      for (ActiveJob job : overdue) {
        end(job, job.wanted == ActiveJob.Ending.TIMEOUT ? JobState.TIMEOUT : JobState.CANCELLED,
            job.wanted == ActiveJob.Ending.TIMEOUT ? timeoutReason() + "; ComfyUI did not stop it" : "cancelled");
      }
    } catch (RuntimeException e) {
      LOG.warn("timeout check failed", e);
    }
  }

  // -------------------------------------------------------------------------------- backends

  /**
   * A backend marked down here (a dispatch found it unreachable) while its health check stayed UP
   * gets no change event; it is taken back once a health round newer than the failure says UP.
   */
  private void reviveBackends() {
    try {
      health.cached().ifPresent(report -> {
        for (Backend backend : backends.values()) {
          boolean down;
          synchronized (lock) {
            down = !backend.healthy;
          }
          if (down && report.check(BACKEND_CHECK + backend.name)
              .filter(c -> c.status() == Status.UP && c.checkedAt().isAfter(backend.downSince)).isPresent()) {
            backendUp(backend);
          }
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("backend revival check failed", e);
    }
  }

  private void backendDown(Backend backend, String reason) {
    List<ActiveJob> lost = new ArrayList<>();
    synchronized (lock) {
      if (!backend.healthy) {
        backend.downReason = reason;
        return;
      }
      backend.healthy = false;
      backend.downReason = reason;
      backend.downSince = clock.instant();
      backend.inputs.clear();
      for (JobId id : backend.dispatched) {
        lost.add(active.get(id));
      }
    }
    LOG.atWarn().setMessage("backend_down").addKeyValue("event", "backend_down").addKeyValue("backend", backend.name)
        .addKeyValue("reason", reason).log();
    for (ActiveJob job : lost) {
      synchronized (lock) {
        backend.orphans.add(job.stored.promptId());
      }
      end(job, JobState.FAILED, "ComfyUI at " + backend.name + " went down: " + reason);
    }
  }

  private void backendUp(Backend backend) {
    List<ActiveJob> next;
    synchronized (lock) {
      if (backend.healthy) {
        return;
      }
      backend.healthy = true;
      backend.downReason = null;
      backend.inputs.clear();
      next = promoteLocked();
    }
    LOG.atInfo().setMessage("backend_up").addKeyValue("event", "backend_up").addKeyValue("backend", backend.name).log();
    runWorker(() -> clearOrphans(backend));
    dispatchAll(next);
  }

  /** Deletes from a returning backend the prompts of jobs that were failed while it was away. */
  private void clearOrphans(Backend backend) {
    List<String> orphans;
    synchronized (lock) {
      orphans = new ArrayList<>(backend.orphans);
      backend.orphans.clear();
    }
    if (orphans.isEmpty()) {
      return;
    }
    try {
      QueueSnapshot queue = backend.client.queue();
      List<String> pending = orphans.stream()
          .filter(id -> queue.pending().stream().anyMatch(i -> i.promptId().equals(id))).toList();
      if (!pending.isEmpty()) {
        backend.client.deleteFromQueue(pending);
      }
      for (String id : orphans) {
        if (queue.running().stream().anyMatch(i -> i.promptId().equals(id))) {
          backend.client.interrupt(id);
        }
      }
      LOG.atInfo().setMessage("orphans_cleared").addKeyValue("event", "orphans_cleared").addKeyValue("backend", backend.name)
          .addKeyValue("deleted", pending.size()).log();
    } catch (ComfyException e) {
      LOG.warn("could not clear {} orphaned prompts on {}: {}", orphans.size(), backend.name, e.getMessage());
    }
  }

  private String downReasons() {
    List<String> reasons = new ArrayList<>();
    for (Backend b : backends.values()) {
      reasons.add(b.name + ": " + (b.downReason == null ? "unavailable" : b.downReason));
    }
    return String.join("; ", reasons);
  }

  /** Each backend's state right now, as the admin queue view and health checks show it. */
  public List<BackendStatus> backends() {
    synchronized (lock) {
      List<BackendStatus> out = new ArrayList<>();
      for (Backend b : backends.values()) {
        List<Job> onIt = new ArrayList<>();
        for (JobId id : b.dispatched) {
          onIt.add(snapshotLocked(active.get(id)));
        }
        out.add(new BackendStatus(b.name, b.healthy, b.downReason, onIt));
      }
      return out;
    }
  }

  /**
   * Waiting jobs per user and each backend's queued and running jobs, right now. Cheap (counts
   * only, one short hold of the scheduling lock): meant for metrics scrapes and dashboards.
   */
  public QueueDepth queueDepth() {
    synchronized (lock) {
      List<QueueDepth.BackendLoad> loads = new ArrayList<>();
      for (Backend b : backends.values()) {
        int running = 0;
        for (JobId id : b.dispatched) {
          ActiveJob job = active.get(id);
          if (job != null && job.stored.state() == JobState.RUNNING) {
            running++;
          }
        }
        loads.add(new QueueDepth.BackendLoad(b.name, b.healthy, b.dispatched.size() - running, running));
      }
      return new QueueDepth(waiting.waitingByUser(), loads);
    }
  }

  /** Jobs waiting for a backend, in the order they will be dispatched. */
  public List<Job> waitingJobs() {
    synchronized (lock) {
      List<Job> out = new ArrayList<>();
      for (ActiveJob job : active.values()) {
        if (waiting.position(job.stored.id()) >= 0) {
          out.add(snapshotLocked(job));
        }
      }
      out.sort(Comparator.comparingInt(Job::position));
      return out;
    }
  }

  // -------------------------------------------------------------------------------- restart

  /**
   * Picks up where the last run stopped: waiting jobs queue again in their order; jobs that were
   * handed to a backend are looked up there (still queued or running: followed; finished: their
   * outcome collected; not there: sent again if they never started, else failed with the reason).
   */
  private void recover() {
    List<ActiveJob> toFollow = new ArrayList<>();
    List<ActiveJob> toFail = new ArrayList<>();
    Map<ActiveJob, String> reasons = new HashMap<>();
    for (StoredJob stored : jobs.listActive()) {
      ObjectNode workflow;
      try {
        workflow = templates.get(stored.template()).bind(JSON.readTree(stored.paramsJson()), ThreadLocalRandom.current()).workflow();
      } catch (Exception e) {
        ActiveJob job = new ActiveJob(stored, JSON.createObjectNode());
        toFail.add(job);
        reasons.put(job, "cannot be resumed after a restart: " + e.getMessage());
        continue;
      }
      ActiveJob job = new ActiveJob(stored, workflow);
      if (stored.backend() == null) {
        synchronized (lock) {
          active.put(stored.id(), job);
          waiting.add(stored.userId(), stored.id());
        }
        continue;
      }
      Backend backend = backends.get(stored.backend());
      if (backend == null) {
        toFail.add(job);
        reasons.put(job, "its ComfyUI backend " + stored.backend() + " is no longer configured");
        continue;
      }
      String promptId = stored.promptId();
      try {
        boolean known = backend.client.queue().contains(promptId) || backend.client.history(promptId).isPresent();
        if (known) {
          synchronized (lock) {
            active.put(stored.id(), job);
            job.backend = backend;
            backend.dispatched.add(stored.id());
            waiting.addDispatched(stored.userId(), stored.id());
          }
          toFollow.add(job);
        } else if (stored.state() == JobState.QUEUED) {
          // Recorded as dispatched, but the request never reached ComfyUI: send it again.
          jobs.assignBackend(stored.id(), backend.name, null);
          job.stored = withBackend(stored, null);
          synchronized (lock) {
            active.put(stored.id(), job);
            waiting.add(stored.userId(), stored.id());
          }
        } else {
          toFail.add(job);
          reasons.put(job, "not found on ComfyUI at " + backend.name + " after a restart (ComfyUI may have restarted too)");
        }
      } catch (ComfyException e) {
        toFail.add(job);
        reasons.put(job, "ComfyUI at " + backend.name + " could not be reached after a restart: " + e.getMessage());
      }
    }
    for (ActiveJob job : toFail) {
      synchronized (lock) {
        active.put(job.stored.id(), job);
      }
      end(job, JobState.FAILED, reasons.get(job));
    }
    for (ActiveJob job : toFollow) {
      follow(job, job.backend.client.track(job.stored.promptId()));
    }
    List<ActiveJob> next;
    synchronized (lock) {
      next = promoteLocked();
    }
    LOG.atInfo().setMessage("recovered").addKeyValue("event", "recover").addKeyValue("followed", toFollow.size())
        .addKeyValue("failed", toFail.size()).addKeyValue("waiting", waiting.totalWaiting()).log();
    dispatchAll(next);
  }

  // -------------------------------------------------------------------------------- queries

  /**
   * One job, for its owner or an administrator.
   *
   * @param userId the caller; {@code null} for an administrator
   * @throws JobNotFoundException no such job, or not the caller's
   */
  public Job get(JobId id, String userId) {
    Job job = find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
    if (userId != null && !job.userId().equals(userId)) {
      throw new JobNotFoundException(id.value());
    }
    return job;
  }

  /** One job by id, for any user. */
  public Optional<Job> find(JobId id) {
    synchronized (lock) {
      ActiveJob job = active.get(id);
      if (job != null && !job.stored.state().isTerminal()) {
        return Optional.of(snapshotLocked(job));
      }
    }
    // Ended (maybe a moment ago, before its slot was released): the store has it all, images too.
    return jobs.find(id).map(this::snapshotOfStored);
  }

  /** A user's jobs, newest first. */
  public Page<Job> list(String userId, PageRequest page) {
    Page<StoredJob> stored = jobs.listByUser(userId, page);
    List<Job> items = new ArrayList<>();
    for (StoredJob s : stored.items()) {
      items.add(find(s.id()).orElseGet(() -> snapshotOfStored(s)));
    }
    return new Page<>(items, stored.page(), stored.size(), stored.total());
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
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    JobListener watch = event -> {
      if (event.job().id().equals(id) && event.job().state().isTerminal()) {
        ended.countDown();
      }
    };
    listeners.add(watch);
    try {
      Job now = find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
      if (!now.state().isTerminal() && !ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new ComfyTimeoutException("job " + id + " did not end within " + timeout, timeout, null);
      }
      return find(id).orElseThrow(() -> new JobNotFoundException(id.value()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.comfygate.errors.ComfyInterruptedException("interrupted while waiting for job " + id, e);
    } finally {
      listeners.remove(watch);
    }
  }

  /** The latest preview image of a running job, if ComfyUI sent one. */
  public Optional<Preview> preview(JobId id, String userId) {
    synchronized (lock) {
      ActiveJob job = active.get(id);
      if (job == null || job.preview == null || (userId != null && !job.stored.userId().equals(userId))) {
        return Optional.empty();
      }
      return Optional.of(new Preview(job.preview.clone(), job.previewType));
    }
  }

  /**
   * Every health check (each backend, database, disk, LLM): the background result when it is
   * recent, else a fresh round bounded by the checks' own timeouts. For /healthz and the banner.
   */
  public HealthReport health() {
    return health.precheck(probeInterval, Duration.ofSeconds(5));
  }

  /**
   * The latest round of the background health checks, without running any; empty before the
   * first round has finished. Never blocks: for metrics, which must not wait on a hanging backend.
   */
  public Optional<HealthReport> lastHealth() {
    return health.cached();
  }

  /**
   * The fast verdict for the Generate button: answers within 1.5 s even when a backend hangs
   * (a check that does not answer in time counts as down). The optional LLM helper is left out:
   * it does not make images.
   */
  public HealthReport precheck() {
    HealthReport report = health.precheck(probeInterval, PRECHECK_BUDGET);
    return new HealthReport(report.checks().stream().filter(c -> !c.name().equals("llm")).toList(), report.checkedAt());
  }

  /** The LLM prompt helper's client; {@link LlmClient#enabled()} is false when LLM_BASE_URL is not set. */
  public LlmClient llm() {
    return llm;
  }

  /** The store of uploaded input images; empty when the engine was built on stores without a database. */
  public Optional<Uploads> uploads() {
    return Optional.ofNullable(uploads);
  }

  /** The image store: galleries, trash, admin queries. */
  public ImageStore images() {
    return images;
  }

  /**
   * Empties the trash now: the files of every image in the trash, then their rows (admin
   * purge-trash). Images whose file cannot be removed stay, and are listed in the result.
   */
  public PurgeResult purgeTrash() {
    ensureOpen();
    PurgeResult result = purger.purgeAll();
    LOG.atInfo().setMessage("trash_purge").addKeyValue("event", "trash_purge").addKeyValue("purged", result.purged())
        .addKeyValue("bytes_freed", result.bytesFreed()).addKeyValue("failures", result.failures().size()).log();
    return result;
  }

  /** The folder image files live in (ImageStore paths are relative to it). */
  public Path outputDir() {
    return outputs.outputDir();
  }

  public TemplateRegistry templates() {
    return templates;
  }

  /** Adds a listener for every job's events; see {@link JobListener} for the threading rules. */
  public io.comfygate.events.Subscription addListener(JobListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }

  /**
   * Adds a listener for the {@link DispatchTiming} of every job ComfyUI accepts; see
   * {@link DispatchListener} for the threading rules.
   */
  public io.comfygate.events.Subscription addDispatchListener(DispatchListener listener) {
    dispatchListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> dispatchListeners.remove(listener);
  }

  private Job snapshotOfStored(StoredJob s) {
    List<StoredImage> imgs = s.state() == JobState.SUCCEEDED ? images.listByJob(s.id()) : List.of();
    return new Job(s.id(), s.userId(), s.state(), s.template(), params(s), -1, null,
        s.state() == JobState.SUCCEEDED ? new Job.Progress(100, null) : Job.Progress.NONE,
        s.backend(), s.createdAt(), s.startedAt(), s.finishedAt(), s.error(), imgs);
  }

  private Job snapshotLocked(ActiveJob job) {
    StoredJob s = job.stored;
    int position = waiting.position(s.id());
    Duration runTime = eta.runTime(s.template());
    Duration etaLeft = null;
    if (!s.state().isTerminal()) {
      if (s.state() == JobState.RUNNING && s.startedAt() != null) {
        etaLeft = EtaEstimator.remaining(runTime, Duration.between(s.startedAt(), clock.instant()));
      } else {
        int healthy = (int) backends.values().stream().filter(b -> b.healthy).count();
        int preQueued = 0;
        for (ActiveJob other : onBackends()) {
          if (other.stored.state() == JobState.QUEUED && other != job) {
            preQueued++;
          }
        }
        int ahead = position >= 0 ? position + preQueued : 0;
        etaLeft = EtaEstimator.eta(ahead, healthy, soonestRemaining(runTime), runTime);
      }
    }
    int shownPosition = position >= 0 ? position + 1 : s.state().isTerminal() ? -1 : 0;
    Job.Progress progress = s.state() == JobState.SUCCEEDED ? new Job.Progress(100, null)
        : new Job.Progress(job.percent, job.node);
    return new Job(s.id(), s.userId(), s.state(), s.template(), params(s), shownPosition, etaLeft, progress,
        s.backend(), s.createdAt(), s.startedAt(), s.finishedAt(), s.error(), List.of());
  }

  private Duration soonestRemaining(Duration runTime) {
    Duration soonest = null;
    for (ActiveJob other : onBackends()) {
      if (other.stored.state() == JobState.RUNNING && other.stored.startedAt() != null) {
        Duration left = EtaEstimator.remaining(runTime, Duration.between(other.stored.startedAt(), clock.instant()));
        soonest = soonest == null || left.compareTo(soonest) < 0 ? left : soonest;
      }
    }
    return soonest == null ? Duration.ZERO : soonest;
  }

  /**
   * The jobs handed to a backend (pre-queued or running): at most a few per backend, where
   * {@code active} also holds every waiting job. Called with the lock held.
   */
  private List<ActiveJob> onBackends() {
    List<ActiveJob> out = new ArrayList<>();
    for (Backend b : backends.values()) {
      for (JobId id : b.dispatched) {
        ActiveJob j = active.get(id);
        if (j != null) {
          out.add(j);
        }
      }
    }
    return out;
  }

  private static JsonNode params(StoredJob s) {
    try {
      return JSON.readTree(s.paramsJson());
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  private static Job withImages(Job j, List<StoredImage> imgs) {
    return new Job(j.id(), j.userId(), j.state(), j.template(), j.params(), j.position(), j.eta(), j.progress(),
        j.backend(), j.createdAt(), j.startedAt(), j.finishedAt(), j.error(), imgs);
  }

  private static StoredJob withBackend(StoredJob s, String backend) {
    return new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), s.state(), backend, s.promptId(),
        s.createdAt(), s.startedAt(), s.finishedAt(), s.error());
  }

  private static StoredJob copy(StoredJob s, JobState state, Instant startedAt, Instant finishedAt, String error) {
    return new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), state, s.backend(), s.promptId(),
        s.createdAt(), startedAt != null ? startedAt : s.startedAt(), finishedAt != null ? finishedAt : s.finishedAt(),
        error != null ? error : s.error());
  }

  private void emit(JobEvent event) {
    try {
      events.execute(() -> {
        for (JobListener l : listeners) {
          try {
            l.onEvent(event);
          } catch (RuntimeException e) {
            LOG.warn("job listener threw on {} of {}; ignored", event.name(), event.job().id(), e);
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("engine closed; event {} of {} not delivered to listeners", event.name(), event.job().id());
    }
  }

  private void emitDispatched(DispatchTiming timing) {
    if (dispatchListeners.isEmpty()) {
      return;
    }
    try {
      events.execute(() -> {
        for (DispatchListener l : dispatchListeners) {
          try {
            l.onDispatched(timing);
          } catch (RuntimeException e) {
            LOG.warn("dispatch listener threw on {}; ignored", timing.jobId(), e);
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("engine closed; dispatch timing of {} not delivered", timing.jobId());
    }
  }

  private static void requireUser(String userId) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be blank");
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
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
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.close();
    sweeper.close();
    NamedThreads.shutdown(timer, CLOSE_WAIT, "engine timer");
    NamedThreads.shutdown(workers, CLOSE_WAIT, "engine workers");
    for (Backend b : backends.values()) {
      NamedThreads.shutdown(b.sender, CLOSE_WAIT, "engine dispatch to " + b.name);
    }
    for (Backend b : backends.values()) {
      b.client.close();
    }
    NamedThreads.shutdown(events, CLOSE_WAIT, "job events");
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
    private Clock clock = Clock.systemUTC();
    private List<URI> servers = List.of(URI.create("http://127.0.0.1:8188"));
    private Path outputDir = Path.of("outputs");
    private String location = "db/app_data.db";
    private JobStore jobStore;
    private ImageStore imageStore;
    private TemplateRegistry templates;
    private QuotaPolicy quota = new QuotaPolicy(3, 1);
    private Duration jobTimeout = Duration.ofSeconds(180);
    private Duration httpConnectTimeout = Duration.ofSeconds(3);
    private Duration httpReadTimeout = Duration.ofSeconds(10);
    private Duration wsConnectTimeout = Duration.ofSeconds(5);
    private Duration wsIdleTimeout = Duration.ofSeconds(120);
    private Duration probeInterval = Duration.ofSeconds(5);
    private int progressLogStep = 20;
    private Duration progressLogMinInterval = Duration.ofSeconds(1);
    private org.slf4j.event.Level progressLogLevel = org.slf4j.event.Level.INFO;
    private UnaryOperator<ComfyClient.Builder> clientCustomizer = UnaryOperator.identity();
    private long diskMinFreeMb = 1024;
    private Duration trashRetention = Duration.ofDays(30);
    private Duration trashSweepInterval = Duration.ofHours(1);
    private Uploads uploads;
    private long uploadMaxBytes = 20L * 1024 * 1024;
    private Duration uploadRetention = Duration.ofHours(24);
    private Duration idempotencyRetention = Duration.ofHours(24);
    private LlmClient llm;
    private final List<HealthCheck> extraChecks = new ArrayList<>();
    private io.comfygate.store.jdbc.Database database;
    private io.comfygate.webhooks.Webhooks webhooks;
    private final List<AutoCloseable> owned = new ArrayList<>();

    private Builder() {}

    /** Takes every engine setting from {@code settings} (backends, paths, limits, timeouts, logging). */
    public Builder settings(Settings s) {
      servers = s.comfyUiServers();
      outputDir = s.outputDir();
      location = s.jobDbPath().map(Path::toString).orElse(s.jdbcUrl()); // a path: its folder is created
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
      uploadMaxBytes = s.uploadMaxBytes();
      uploadRetention = s.uploadRetention();
      idempotencyRetention = s.idempotencyRetention();
      llm = LlmClient.fromSettings(s.llmBaseUrl().map(URI::toString).orElse(""), s.llmModel(), s.llmApiKey(), s.llmTimeout());
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
      this.uploadMaxBytes = maxBytes;
      this.uploadRetention = positive(retention, "upload retention");
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

    /** A SQLite file path or {@code jdbc:sqlite:} URL; ignored when stores are given. */
    public Builder database(String location) {
      this.location = Objects.requireNonNull(location, "database");
      return this;
    }

    /**
     * Use this open database (its job and image stores, and its writer for the health probe); the
     * caller keeps ownership and closes it after the engine.
     */
    public Builder database(io.comfygate.store.jdbc.Database db) {
      this.database = Objects.requireNonNull(db, "db");
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
     * Opens the store (unless given), recovers unfinished jobs and starts dispatching.
     *
     * @throws io.comfygate.errors.StoreException if the database cannot be opened
     */
    public JobEngine build() {
      if (templates == null) {
        templates = TemplateRegistry.shipped();
      }
      if (llm == null) {
        llm = LlmClient.disabled("LLM disabled (LLM_BASE_URL not set)");
      }
      if (jobStore == null) {
        if (database == null) {
          database = io.comfygate.store.jdbc.Database.open(location);
          owned.add(database);
        }
        jobStore = new io.comfygate.store.jdbc.JdbcJobStore(database,
            webhooks == null ? io.comfygate.store.jdbc.JobChangeHook.NONE : webhooks.storeHook());
        imageStore = new io.comfygate.store.jdbc.JdbcImageStore(database);
      } else if (webhooks != null) {
        throw new IllegalStateException("webhooks need the engine's own JDBC store: use database(...), not stores(...)");
      }
      if (uploads == null && database != null) {
        uploads = new Uploads(database, outputDir.resolve("uploads"), uploadMaxBytes, clock);
      }
      JobEngine engine = new JobEngine(this);
      try {
        return engine.start();
      } catch (RuntimeException e) {
        engine.close();
        throw e;
      }
    }
  }
}
