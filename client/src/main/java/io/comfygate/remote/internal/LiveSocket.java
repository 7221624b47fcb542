package io.comfygate.remote.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.remote.RetryPolicy;
import io.comfygate.remote.live.LiveEvent;
import io.comfygate.remote.live.LiveListener;
import io.comfygate.remote.live.LiveSubscription;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One live subscription over a {@code jakarta.websocket} container (Tyrus): connects, turns each
 * message into a {@link LiveEvent} for the listener, and after a lost connection reconnects with
 * backoff and reconciles from the new snapshot (and by asking for jobs it no longer lists), so the
 * listener misses no state change. Everything but Tyrus's own I/O runs on this subscription's one
 * thread, so the listener sees events in order and never concurrently.
 */
public final class LiveSocket implements LiveSubscription {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int KNOWN_MAX = 1000;
  private static final long PING_SECONDS = 30;
  private static final long PONG_LIMIT_MILLIS = 75_000;

  private final WebSocketContainer container;
  private final URI uri;
  private final String authorization;
  private final LiveListener listener;
  private final ObjectMapper json;
  private final Function<String, Optional<Job>> fetch;
  private final RetryPolicy backoff;
  private final Consumer<LiveSocket> onClosed;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The last state the listener heard of, per job (only touched on {@link #thread}). */
  private final Map<String, JobState> known = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JobState> eldest) {
      return size() > KNOWN_MAX;
    }
  };
  private volatile Session session;
  private volatile long lastPong;
  private int failures;
  private boolean snapshotSeen;
  private ScheduledFuture<?> pinger;

  /**
   * @param fetch a job by id over REST (empty when it cannot be read now), for reconciling
   * @param backoff the waits between reconnects (its attempts and budget are not used)
   * @param onClosed told once when the subscription is closed
   */
  public LiveSocket(WebSocketContainer container, URI uri, String authorization, LiveListener listener,
      ObjectMapper json, Function<String, Optional<Job>> fetch, RetryPolicy backoff, Consumer<LiveSocket> onClosed) {
    this.container = container;
    this.uri = uri;
    this.authorization = authorization;
    this.listener = listener;
    this.json = json;
    this.fetch = fetch;
    this.backoff = backoff;
    this.onClosed = onClosed;
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "comfygate-live-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    this.thread = executor;
  }

  /** Starts connecting (in the background). */
  public LiveSocket start() {
    thread.execute(this::connect);
    return this;
  }

  @Override
  public boolean isConnected() {
    Session s = session;
    return s != null && s.isOpen();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Session s = session;
    session = null;
    if (s != null) {
      try {
        s.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "client closed"));
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      }
    }
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        System.getLogger(LiveSocket.class.getName()).log(System.Logger.Level.WARNING,
            "live: the listener did not return within 5 s of close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    onClosed.accept(this);
  }

  private void connect() {
    if (closed.get()) {
      return;
    }
    ClientEndpointConfig config = ClientEndpointConfig.Builder.create().configurator(new ClientEndpointConfig.Configurator() {
      @Override
      public void beforeRequest(Map<String, List<String>> headers) {
        headers.put("Authorization", List.of(authorization));
      }
    }).build();
    try {
      Session opened = container.connectToServer(new Handler(), config, uri);
      if (closed.get()) {
        opened.close();
        return;
      }
      session = opened;
      lastPong = System.currentTimeMillis();
      pinger = thread.scheduleWithFixedDelay(this::ping, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) { // DeploymentException (handshake refused or timed out), IOException, Tyrus's runtime errors
      lost(null, "cannot connect to " + uri + ": " + (e.getCause() != null ? e.getCause() : e));
    }
  }

  /** Keeps a silent connection honest: no pong for a while means the peer is gone without a close. */
  private void ping() {
    Session s = session;
    if (s == null || !s.isOpen()) {
      return;
    }
    if (System.currentTimeMillis() - lastPong > PONG_LIMIT_MILLIS) {
      lost(s, "no answer to pings for " + PONG_LIMIT_MILLIS / 1000 + " s");
      return;
    }
    try {
      s.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
    } catch (IOException | RuntimeException e) {
      lost(s, "ping failed: " + e);
    }
  }

  /** The connection {@code which} (null: the one being opened) ended; try again later. On {@link #thread}. */
  private void lost(Session which, String reason) {
    if (closed.get() || (which != null && which != session)) {
      return;
    }
    Session old = session;
    session = null;
    if (pinger != null) {
      pinger.cancel(false);
      pinger = null;
    }
    if (old != null && old.isOpen()) {
      try {
        old.close();
      } catch (IOException | RuntimeException ignored) {
        // already going
      }
    }
    failures++;
    Duration wait = backoff.backoff(failures, ThreadLocalRandom.current().nextDouble());
    deliver(new LiveEvent.Disconnected(reason, wait));
    if (!closed.get()) {
      thread.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void onMessage(Session from, String text) {
    if (from != session) {
      return;
    }
    JsonNode message;
    try {
      message = json.readTree(text);
    } catch (IOException e) {
      deliver(new LiveEvent.Unknown("", text));
      return;
    }
    String type = message.path("type").asText();
    try {
      switch (type) {
        case "snapshot" -> snapshot(readJobs(message.path("jobs")));
        case "job" -> {
          Job job = json.treeToValue(message.get("job"), Job.class);
          known.put(job.id(), job.state());
          deliver(new LiveEvent.JobChanged(message.path("event").asText(), job, false));
        }
        case "progress" -> deliver(new LiveEvent.Progress(message.path("job_id").asText(),
            message.path("percent").asInt(), message.path("node").isTextual() ? message.get("node").asText() : null,
            message.path("eta_seconds").isNumber() ? message.get("eta_seconds").asLong() : null,
            message.path("position").asInt()));
        case "preview" -> deliver(new LiveEvent.Preview(message.path("job_id").asText(), message.path("mime").asText(),
            Base64.getDecoder().decode(message.path("data").asText())));
        default -> deliver(new LiveEvent.Unknown(type, text));
      }
    } catch (IOException | IllegalArgumentException e) {
      deliver(new LiveEvent.Unknown(type, text));
    }
  }

  private List<Job> readJobs(JsonNode array) throws IOException {
    List<Job> jobs = new ArrayList<>();
    for (JsonNode node : array) {
      jobs.add(json.treeToValue(node, Job.class));
    }
    return jobs;
  }

  /** The first snapshot says where things are; a later one (a reconnect) also says what was missed. */
  private void snapshot(List<Job> jobs) {
    failures = 0;
    deliver(new LiveEvent.Snapshot(jobs));
    boolean reconnect = snapshotSeen;
    snapshotSeen = true;
    Set<String> listed = new HashSet<>();
    for (Job job : jobs) {
      listed.add(job.id());
      if (reconnect) {
        reconcile(job);
      } else {
        known.put(job.id(), job.state());
      }
    }
    if (reconnect) {
      // Jobs that ended meanwhile and dropped off the snapshot's latest few: ask for them.
      List<String> missing = known.entrySet().stream()
          .filter(e -> !e.getValue().isFinal() && !listed.contains(e.getKey())).map(Map.Entry::getKey).toList();
      for (String id : missing) {
        fetch.apply(id).ifPresent(this::reconcile);
      }
    }
  }

  /** Tells the listener the states a job went through since it last heard of it. */
  private void reconcile(Job job) {
    JobState before = known.get(job.id());
    if (before == job.state()) {
      return;
    }
    if ((before == null || before == JobState.QUEUED) && job.state().isFinal() && job.startedAt() != null) {
      deliver(new LiveEvent.JobChanged("reconciled", new Job(job.id(), job.userId(), JobState.RUNNING, job.template(),
          job.params(), 0, null, job.progress(), job.createdAt(), job.startedAt(), null, null, List.of()), true));
    }
    known.put(job.id(), job.state());
    deliver(new LiveEvent.JobChanged("reconciled", job, true));
  }

  private void deliver(LiveEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException ignored) {
      // the listener's own failure must not end the subscription
    }
  }

  /** Tyrus's side: hands everything to {@link #thread}. */
  private final class Handler extends Endpoint {
    @Override
    public void onOpen(Session opened, EndpointConfig config) {
      opened.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> submit(() -> onMessage(opened, text)));
      opened.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> lastPong = System.currentTimeMillis());
    }

    @Override
    public void onClose(Session which, CloseReason reason) {
      submit(() -> lost(which, "closed by the server: " + reason.getCloseCode().getCode()
          + (reason.getReasonPhrase() == null || reason.getReasonPhrase().isEmpty() ? "" : " " + reason.getReasonPhrase())));
    }

    @Override
    public void onError(Session which, Throwable failure) {
      submit(() -> lost(which, "connection failed: " + failure));
    }

    private void submit(Runnable task) {
      if (!closed.get()) {
        try {
          thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
          // closing
        }
      }
    }
  }
}
