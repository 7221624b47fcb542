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
 * <p>The engine calls its listeners on one event thread, so nothing here may block or write to a
 * socket: every session has its own {@link SessionOutbox}, which the listener only fills; the writes run
 * on a few send threads ({@code comfygate-live-send-N}). State changes ({@code job} messages)
 * always arrive, in order; progress and previews are throttled per job (a preview or an update
 * of the running node at most once per {@code progressInterval}, a new percent at most twice; the
 * newest of a burst goes out when its turn comes, ahead of the job's next state change; see
 * {@link Throttle}) and, for a browser that cannot keep up, replaced by newer ones while they wait. When the queue moves, users with waiting jobs get those jobs again with their new
 * position and ETA ({@code queue_update}): sent after every other kind of message, here and in
 * other sessions, since a position moving a moment late hurts nobody while a late progress shows;
 * a newer position of a job replaces one still waiting to be sent, and the job's next state
 * change replaces it too.
 *
 * <p>Create one per application with {@link #start}; {@link #close()} unsubscribes, closes every
 * session with 1001 (going away) and stops the send threads. Thread-safe.
 */
public final class LiveHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  static final Duration PROGRESS_INTERVAL = Duration.ofMillis(250);
  static final int SEND_LIMIT = 256;
  static final int GOING_AWAY = 1001;
  static final int UNEXPECTED_CONDITION = 1011;
  /** Send threads: writes rarely wait (sends are asynchronous), so two keep up with a 2-core host. */
  static final int SEND_THREADS = 2;

  private final JobSource jobs;
  private final Messages messages;
  private final int sendLimit;
  private final Scheduler sends;
  private final Throttle throttle;
  private final Map<String, Set<Client>> byUser = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ThreadPoolExecutor closer;
  private final Subscription subscription;

  /** @param sends runs the sessions' writes and the trailing progress; closed with the hub */
  LiveHub(JobSource jobs, String apiBase, Duration progressInterval, int sendLimit, LongSupplier nanoTime,
      Scheduler sends) {
    this.jobs = jobs;
    this.messages = new Messages(apiBase);
    this.sendLimit = sendLimit;
    this.sends = sends;
    this.throttle = new Throttle(progressInterval.toNanos(), nanoTime, sends);
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
    return start(JobSource.of(engine), apiBase);
  }

  /** With the production throttle, limits and send threads, on any source of jobs. */
  static LiveHub start(JobSource jobs, String apiBase) {
    return new LiveHub(jobs, apiBase, PROGRESS_INTERVAL, SEND_LIMIT, System::nanoTime,
        new SendPool(SEND_THREADS, Duration.ofSeconds(5)));
  }

  /** One connected session of a user. */
  static final class Client {
    final String user;
    final SessionOutbox outbox;
    final SessionOutbox.Transport transport;
    // The positions this session was last told; written on the event thread, and by open() first.
    final Map<String, Integer> positions = new ConcurrentHashMap<>();

    Client(String user, SessionOutbox outbox, SessionOutbox.Transport transport) {
      this.user = user;
      this.outbox = outbox;
      this.transport = transport;
    }
  }

  /**
   * Connects a session of {@code identity}'s user: it gets a snapshot of their jobs first, then
   * their events. Returns the handle to pass to {@link #remove} when the session ends.
   */
  Client open(Identity identity, SessionOutbox.Transport transport) {
    Client client = new Client(identity.user(), new SessionOutbox(transport, sendLimit, this::closeLater, sends),
        transport);
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

  /** The engine's listener: on its event thread, one event at a time. Only enqueues. */
  void onEvent(JobEvent event) {
    if (closed.get()) {
      return;
    }
    Job job = event.job();
    if (event instanceof JobEvent.Progress p) {
      progress(p);
      return;
    }
    String id = job.id().value();
    // The job's last progress goes out before its state change, never after it.
    throttle.flush(progressKey(id));
    throttle.flush(previewKey(id));
    if (job.state().isTerminal()) {
      throttle.forget(progressKey(id));
      throttle.forget(previewKey(id));
    }
    Set<Client> owners = byUser.get(job.userId());
    if (owners != null) {
      String text = messages.job(event.name(), job);
      for (Client c : owners) {
        // The message carries the job's position: a queue_update still waiting is out of date.
        c.outbox.offer(text, queueKey(id));
        if (job.state().isTerminal()) {
          c.positions.remove(id);
        } else {
          c.positions.put(id, job.position());
        }
      }
    }
    // Any state change can move the waiting room: starts and ends free or fill slots, and a new
    // job of another user may be placed ahead by the fair queue.
    queueMoved();
  }

  private void progress(JobEvent.Progress event) {
    Job job = event.job();
    String user = job.userId();
    if (!byUser.containsKey(user)) {
      return;
    }
    String id = job.id().value();
    // Written when sent, so a throttled update that a newer one replaces costs nothing.
    // A new percent is news; a new node with the same percent is not (see Throttle).
    throttle.submit(progressKey(id), job.progress().percent(),
        () -> toSessions(user, progressKey(id), messages.progress(job)));
    byte[] image = event.preview();
    if (image != null) {
      throttle.submit(previewKey(id), 0,
          () -> toSessions(user, previewKey(id), messages.preview(job, image, event.previewType())));
    }
  }

  private void toSessions(String user, String key, String text) {
    for (Client c : byUser.getOrDefault(user, Set.of())) {
      c.outbox.offerLatest(key, text);
    }
  }

  /**
   * Offers each waiting job whose position changed to its owner's sessions. One read of the
   * waiting room per event; jobs of users without a session cost a map lookup.
   */
  private void queueMoved() {
    if (byUser.isEmpty()) {
      return;
    }
    for (Job job : jobs.waiting()) {
      Set<Client> owners = byUser.get(job.userId());
      if (owners == null) {
        continue;
      }
      String id = job.id().value();
      String text = null;
      for (Client c : owners) {
        Integer before = c.positions.put(id, job.position());
        if (before == null || before != job.position()) {
          text = text == null ? messages.job("queue_update", job) : text;
          c.outbox.offerInBackground(queueKey(id), text);
        }
      }
    }
  }

  private static String progressKey(String jobId) {
    return "progress:" + jobId;
  }

  private static String previewKey(String jobId) {
    return "preview:" + jobId;
  }

  private static String queueKey(String jobId) {
    return "queue:" + jobId;
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
   * Unsubscribes from the engine, closes every session with 1001 (going away) and stops the send
   * threads. Waits up to 5 s for each, then gives up with a warning. Idempotent.
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
    sends.close();
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
