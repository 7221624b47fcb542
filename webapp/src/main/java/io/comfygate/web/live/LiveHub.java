package io.comfygate.web.live;

import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.JobEvent;
import io.comfygate.events.Subscription;
import io.comfygate.web.security.Identity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans the engine's job events out to the live WebSocket sessions of each job's owner: one
 * listener on the engine, sessions grouped by user.
 *
 * <p>The engine calls its listeners on one event thread, so nothing here may block: every session
 * has its own {@link Outbox} with asynchronous sends. State changes ({@code job} messages) always
 * arrive, in order; progress and previews are throttled per job and session (at most one each per
 * {@code progressInterval}) and, for a browser that cannot keep up, replaced by newer ones while
 * they wait. When the queue moves, users with waiting jobs get those jobs again with their new
 * position and ETA ({@code queue_update}).
 *
 * <p>Create one per application with {@link #start}; {@link #close()} unsubscribes and closes
 * every session with 1001 (going away). Thread-safe.
 */
public final class LiveHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);
  static final int SEND_LIMIT = 256;
  static final int GOING_AWAY = 1001;
  static final int UNEXPECTED_CONDITION = 1011;

  private final JobSource jobs;
  private final Messages messages;
  private final long intervalNanos;
  private final int sendLimit;
  private final LongSupplier nanoTime;
  private final Map<String, Set<Client>> byUser = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ThreadPoolExecutor closer;
  private final Subscription subscription;

  LiveHub(JobSource jobs, String apiBase, Duration progressInterval, int sendLimit, LongSupplier nanoTime) {
    this.jobs = jobs;
    this.messages = new Messages(apiBase);
    this.intervalNanos = progressInterval.toNanos();
    this.sendLimit = sendLimit;
    this.nanoTime = nanoTime;
    // Closing a session may wait for its socket; never on the engine's event thread. The one
    // thread exists only while there is something to close.
    this.closer = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "comfygate-live-close-1");
      t.setDaemon(true);
      return t;
    });
    closer.allowCoreThreadTimeOut(true);
    this.subscription = jobs.subscribe(this::onEvent);
  }

  /**
   * Subscribes to {@code engine}'s events.
   *
   * @param apiBase the path of the REST API, e.g. {@code /comfygate/api/}, for image URLs
   */
  public static LiveHub start(JobEngine engine, String apiBase) {
    return new LiveHub(JobSource.of(engine), apiBase, PROGRESS_INTERVAL, SEND_LIMIT, System::nanoTime);
  }

  /** One connected session of a user. */
  static final class Client {
    final String user;
    final Outbox outbox;
    final Outbox.Transport transport;
    // Used on the event thread only (and by open(), before any event reaches the client).
    final Map<String, Long> lastProgress = new ConcurrentHashMap<>();
    final Map<String, Long> lastPreview = new ConcurrentHashMap<>();
    final Map<String, Integer> positions = new ConcurrentHashMap<>();

    Client(String user, Outbox outbox, Outbox.Transport transport) {
      this.user = user;
      this.outbox = outbox;
      this.transport = transport;
    }

    void forget(String jobId) {
      lastProgress.remove(jobId);
      lastPreview.remove(jobId);
      positions.remove(jobId);
    }
  }

  /**
   * Connects a session of {@code identity}'s user: it gets a snapshot of their jobs first, then
   * their events. Returns the handle to pass to {@link #remove} when the session ends.
   */
  Client open(Identity identity, Outbox.Transport transport) {
    Client client = new Client(identity.user(), new Outbox(transport, sendLimit, this::closeLater), transport);
    byUser.compute(client.user, (user, set) -> {
      Set<Client> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      s.add(client);
      return s;
    });
    if (closed.get()) { // close() may have run its round before we were added
      remove(client);
      closeLater(() -> transport.close(GOING_AWAY, "server shutting down"));
      return client;
    }
    List<Job> snapshot;
    try {
      snapshot = jobs.snapshot(client.user);
    } catch (RuntimeException e) {
      LOG.warn("live: cannot read the jobs of {} for a snapshot: {}", client.user, e.toString());
      remove(client);
      closeLater(() -> transport.close(UNEXPECTED_CONDITION, "cannot read your jobs; try again"));
      return client;
    }
    snapshot.forEach(j -> client.positions.put(j.id().value(), j.position()));
    // Registered before the read, so no event is lost; those that came meanwhile wait behind it.
    client.outbox.start(messages.snapshot(snapshot));
    return client;
  }

  /** Forgets a session that ended (the endpoint's onClose/onError). Idempotent. */
  void remove(Client client) {
    client.outbox.discard();
    byUser.computeIfPresent(client.user, (user, set) -> {
      set.remove(client);
      return set.isEmpty() ? null : set;
    });
  }

  /** The engine's listener: on its event thread, one event at a time. */
  void onEvent(JobEvent event) {
    if (closed.get()) {
      return;
    }
    Job job = event.job();
    String id = job.id().value();
    Set<Client> owners = byUser.getOrDefault(job.userId(), Set.of());
    if (event instanceof JobEvent.Progress p) {
      progress(owners, p);
      return;
    }
    if (!owners.isEmpty()) {
      String text = messages.job(event.name(), job);
      for (Client c : owners) {
        c.outbox.offer(text);
        if (job.state().isTerminal()) {
          c.forget(id);
        } else {
          c.positions.put(id, job.position());
        }
      }
    }
    // Any state change can move the waiting room: starts and ends free or fill slots, and a new
    // job of another user may be placed ahead by the fair queue.
    queueMoved(id);
  }

  private void progress(Set<Client> owners, JobEvent.Progress event) {
    Job job = event.job();
    String id = job.id().value();
    long now = nanoTime.getAsLong();
    String progress = null;
    String preview = null;
    for (Client c : owners) {
      if (due(c.lastProgress, id, now)) {
        progress = progress == null ? messages.progress(job) : progress;
        c.outbox.offerLatest("progress:" + id, progress);
      }
      if (event.preview() != null && due(c.lastPreview, id, now)) {
        preview = preview == null ? messages.preview(job, event.preview(), event.previewType()) : preview;
        c.outbox.offerLatest("preview:" + id, preview);
      }
    }
  }

  /** Whether the throttle lets a message about {@code jobId} through now; records it if so. */
  private boolean due(Map<String, Long> last, String jobId, long now) {
    Long before = last.get(jobId);
    if (before != null && now - before < intervalNanos) {
      return false;
    }
    last.put(jobId, now);
    return true;
  }

  private void queueMoved(String except) {
    if (byUser.isEmpty()) {
      return;
    }
    for (Job job : jobs.waiting()) {
      String id = job.id().value();
      Set<Client> owners = byUser.get(job.userId());
      if (id.equals(except) || owners == null) {
        continue;
      }
      String text = null;
      for (Client c : owners) {
        Integer before = c.positions.put(id, job.position());
        if (before == null || before != job.position()) {
          text = text == null ? messages.job("queue_update", job) : text;
          c.outbox.offer(text);
        }
      }
    }
  }

  private void closeLater(Runnable close) {
    try {
      closer.execute(close);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      close.run(); // the hub is shutting down; its own close() is bounded
    }
  }

  /** How many sessions are connected (for tests and logs). */
  int sessionCount() {
    return byUser.values().stream().mapToInt(Set::size).sum();
  }

  /**
   * Unsubscribes from the engine and closes every session with 1001 (going away). Waits up to
   * 5 s for the closes, then gives up with a warning. Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    subscription.close();
    for (Set<Client> clients : byUser.values()) {
      for (Client c : clients) {
        c.outbox.discard();
        closeLater(() -> c.transport.close(GOING_AWAY, "server shutting down"));
      }
    }
    byUser.clear();
    closer.shutdown();
    try {
      if (!closer.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("live: sessions still closing after 5 s; leaving them to the container");
        closer.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closer.shutdownNow();
    }
  }
}
