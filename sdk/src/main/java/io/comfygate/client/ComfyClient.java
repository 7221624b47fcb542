package io.comfygate.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.ComfyIoException;
import io.comfygate.errors.ComfyNotFoundException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.events.ComfyEventListener;
import io.comfygate.events.Subscription;
import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.http.Downloads;
import io.comfygate.internal.http.HttpTransport;
import io.comfygate.internal.http.Multipart;
import io.comfygate.internal.json.Json;
import io.comfygate.internal.ws.EventStream;
import java.io.FileNotFoundException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for one ComfyUI server: its HTTP API, its WebSocket events, and reliable completion of
 * prompts. Create one per server with {@link #builder()} and share it; it is thread-safe.
 *
 * <p><b>Lifecycle.</b> HTTP calls work right after {@code build()}. The WebSocket opens lazily, on
 * the first {@link #submit}, {@link #track} or {@link #addListener} (or {@link #connectEvents()}),
 * and reconnects by itself under a fresh clientId each time. {@link #close()} stops every thread
 * and connection; it is idempotent, bounded and callable from any thread. Calls after close throw
 * {@link IllegalStateException}.
 *
 * <p><b>Deadlines.</b> Every HTTP call is bounded by the read timeout (downloads by the download
 * timeout) plus the connect timeout. Failures are typed: see the table in
 * {@link io.comfygate.errors.ComfyException}.
 *
 * <p><b>Threads.</b> All daemon threads named {@code comfygate-*}: {@code http} (HTTP client),
 * {@code ws}/{@code ws-io} (WebSocket), {@code events} (listener calls, one at a time in order),
 * {@code poll} (completion confirmation).
 */
public final class ComfyClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ComfyClient.class);

  private final Builder settings;
  private final URI baseUrl;
  private final HttpTransport http;
  private final ExecutorService events;
  private final ScheduledThreadPoolExecutor poller;
  private final EventStream stream;
  private final CompletionTracker tracker;
  private final List<ComfyEventListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private ComfyClient(Builder b) {
    this.settings = b.copy();
    this.baseUrl = b.baseUrl;
    this.http = new HttpTransport(baseUrl, b.connectTimeout, b.readTimeout);
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        NamedThreads.factory("events"));
    this.poller = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("poll"));
    poller.setRemoveOnCancelPolicy(true);
    String wsBase = baseUrl.toString().replaceFirst("^http", "ws");
    this.tracker = new CompletionTracker(new Backend(), poller, b.historyPollInterval, b.safetyPollInterval);
    this.stream = new EventStream(URI.create(wsBase),
        new EventStream.Options(b.wsConnectTimeout, b.wsIdleTimeout, b.wsPingInterval, b.reconnectBackoffMin,
            b.reconnectBackoffMax),
        new StreamListener(), events, tracker::isWatching);
  }

  /** A builder with the defaults listed on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder preset with this client's settings. The client it builds owns its own connections
   * and threads, so either client can be closed without affecting the other.
   */
  public Builder newBuilder() {
    return settings.copy();
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:8188}. */
  public URI baseUrl() {
    return baseUrl;
  }

  // ---------------------------------------------------------------- prompts

  /**
   * Queues a prompt without watching it: {@code POST /prompt}. If the request has no clientId,
   * the WebSocket's current id is sent only if the socket has been started.
   *
   * @throws io.comfygate.errors.ComfyValidationException if ComfyUI rejects the workflow (nothing queued)
   */
  public PromptAccepted queuePrompt(PromptRequest request) {
    ensureOpen();
    String clientId = request.clientId() != null ? request.clientId() : stream.isStarted() ? stream.clientId() : null;
    return post(request, clientId);
  }

  /** Queues a prompt and watches it to completion; see {@link #submit(PromptRequest, ComfyEventListener)}. */
  public PromptHandle submit(PromptRequest request) {
    return submit(request, null);
  }

  /**
   * Queues a prompt under this client's WebSocket clientId (unless the request names another) and
   * watches it until ComfyUI confirms its outcome. Waits up to the WebSocket connect timeout for
   * the socket first, so that progress events arrive; if it cannot connect the prompt is still
   * submitted and its outcome found by polling.
   *
   * @param listener receives this prompt's events from the first one on; may be null
   */
  public PromptHandle submit(PromptRequest request, ComfyEventListener listener) {
    ensureOpen();
    connectEvents();
    stream.awaitConnected(settings.wsConnectTimeout);
    String clientId = request.clientId() != null ? request.clientId() : stream.clientId();
    stream.markActivity();
    CompletionTracker.Watch watch = tracker.watch(request.promptId(), clientId);
    if (listener != null) {
      watch.listeners.add(listener);
    }
    PromptAccepted accepted;
    try {
      accepted = post(request, clientId);
    } catch (RuntimeException e) {
      tracker.abandon(watch);
      throw e;
    }
    tracker.accepted(watch, accepted.promptId());
    return new PromptHandle(this, accepted.promptId().equals(watch.promptId) ? watch
        : tracker.watch(accepted.promptId(), clientId), accepted);
  }

  /**
   * Watches a prompt submitted earlier (for example before a restart of this process). Its events
   * do not reach this client, so the outcome comes from polling: within about
   * {@code historyPollInterval} of the prompt ending.
   */
  public PromptHandle track(String promptId) {
    ensureOpen();
    Objects.requireNonNull(promptId, "promptId");
    connectEvents();
    CompletionTracker.Watch watch = tracker.watch(promptId, null);
    tracker.accepted(watch, promptId);
    return new PromptHandle(this, watch, null);
  }

  private PromptAccepted post(PromptRequest request, String clientId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("prompt", request.workflow());
    body.put("prompt_id", request.promptId());
    if (clientId != null) {
      body.put("client_id", clientId);
    }
    if (request.extraData() != null) {
      body.set("extra_data", request.extraData());
    }
    if (request.front()) {
      body.put("front", true);
    }
    return ResponseParsers.promptAccepted(http.postJson("/prompt", body));
  }

  // ---------------------------------------------------------------- queue and interrupt

  /** {@code GET /queue}, pending sorted by run order. */
  public QueueSnapshot queue() {
    ensureOpen();
    return ResponseParsers.queue(http.getJson("/queue"));
  }

  /** Removes pending prompts ({@code POST /queue {"delete": [...]}}); a running one is untouched. */
  public void deleteFromQueue(Collection<String> promptIds) {
    ensureOpen();
    http.postJson("/queue", deleteBody(promptIds));
  }

  /** Removes every pending prompt; the running one continues. */
  public void clearQueue() {
    ensureOpen();
    http.postJson("/queue", Json.MAPPER.createObjectNode().put("clear", true));
  }

  /**
   * Interrupts {@code promptId} if it is running (since 0.3.57; a no-op otherwise). Older servers
   * ignore the id and interrupt whatever runs.
   */
  public void interrupt(String promptId) {
    ensureOpen();
    http.postJson("/interrupt", Json.MAPPER.createObjectNode().put("prompt_id", promptId));
  }

  /** Interrupts whatever runs (global). */
  public void interruptAll() {
    ensureOpen();
    http.json("POST /interrupt", http.request("/interrupt").POST(HttpRequest.BodyPublishers.noBody()));
  }

  // ---------------------------------------------------------------- history

  /** {@code GET /history/{id}}; empty while the prompt is unknown, pending or still running. */
  public Optional<HistoryEntry> history(String promptId) {
    ensureOpen();
    JsonNode body = http.getJson("/history/" + encode(promptId));
    return Optional.ofNullable(ResponseParsers.historyMap(body).get(promptId));
  }

  /**
   * One page of history, oldest first: at most {@code maxItems} entries starting at {@code offset}
   * counted from the oldest ({@code offset} needs 0.3.60; older servers return the last
   * {@code maxItems}). Pass {@code offset < 0} for the newest {@code maxItems}.
   */
  public Map<String, HistoryEntry> history(int maxItems, int offset) {
    ensureOpen();
    if (maxItems <= 0) {
      throw new IllegalArgumentException("maxItems must be > 0: " + maxItems);
    }
    String query = "?max_items=" + maxItems + (offset >= 0 ? "&offset=" + offset : "");
    return ResponseParsers.historyMap(http.getJson("/history" + query));
  }

  /** Deletes history entries. */
  public void deleteHistory(Collection<String> promptIds) {
    ensureOpen();
    http.postJson("/history", deleteBody(promptIds));
  }

  private static ObjectNode deleteBody(Collection<String> ids) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode list = body.putArray("delete");
    ids.forEach(list::add);
    return body;
  }

  // ---------------------------------------------------------------- files

  /**
   * Downloads an output with {@code GET /view}, streaming it to a temp file next to
   * {@code target} and moving it into place when complete. Never holds the file in memory.
   *
   * @return bytes written
   * @throws ComfyNotFoundException if the server has no such file
   */
  public long download(OutputFile file, Path target) {
    ensureOpen();
    String query = "/view?filename=" + encode(file.filename()) + "&type=" + encode(file.type())
        + "&subfolder=" + encode(file.subfolder());
    HttpRequest request = http.request(query).timeout(settings.downloadTimeout).GET().build();
    return Downloads.toFile(http, "GET /view " + file.filename(), request, target, settings.downloadTimeout);
  }

  /**
   * Uploads an image file with {@code POST /upload/image}, streamed from disk.
   *
   * @param subfolder target subfolder, empty for none
   * @param type {@code input} (default when null), {@code temp} or {@code output}
   */
  public UploadedImage uploadImage(Path file, boolean overwrite, String subfolder, String type) {
    return uploadImage(file, file.getFileName().toString(), overwrite, subfolder, type);
  }

  /** Uploads a file from disk under {@code name}; see {@link #uploadImage(Path, boolean, String, String)}. */
  public UploadedImage uploadImage(Path file, String name, boolean overwrite, String subfolder, String type) {
    ensureOpen();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: '" + name + "'");
    }
    try {
      return upload(new Multipart().file("image", name, file), overwrite, subfolder, type);
    } catch (FileNotFoundException e) {
      throw new ComfyIoException("cannot read " + file + " for upload to " + baseUrl, e);
    }
  }

  /** Uploads image bytes under {@code name}; see {@link #uploadImage(Path, boolean, String, String)}. */
  public UploadedImage uploadImage(byte[] image, String name, boolean overwrite, String subfolder, String type) {
    ensureOpen();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: '" + name + "'");
    }
    return upload(new Multipart().file("image", name, image), overwrite, subfolder, type);
  }

  private UploadedImage upload(Multipart form, boolean overwrite, String subfolder, String type) {
    form.field("overwrite", overwrite ? "true" : "false").field("type", type == null ? "input" : type);
    if (subfolder != null && !subfolder.isEmpty()) {
      form.field("subfolder", subfolder);
    }
    HttpRequest.Builder request = http.request("/upload/image").header("Content-Type", form.contentType())
        .POST(form.publisher());
    return ResponseParsers.uploaded(http.json("POST /upload/image", request));
  }

  // ---------------------------------------------------------------- server info

  /** {@code GET /system_stats}. */
  public SystemStats systemStats() {
    ensureOpen();
    return ResponseParsers.systemStats(http.getJson("/system_stats"));
  }

  /** {@code GET /object_info}: every node class (large). */
  public JsonNode objectInfo() {
    ensureOpen();
    return http.getJson("/object_info");
  }

  /** {@code GET /object_info/{class}}; empty if the server does not know the class. */
  public Optional<JsonNode> objectInfo(String classType) {
    ensureOpen();
    JsonNode body = http.getJson("/object_info/" + encode(classType));
    return Optional.ofNullable(body == null ? null : body.get(classType));
  }

  /** {@code GET /features}; empty on servers before 0.3.45, which answer 404. */
  public Optional<Features> features() {
    ensureOpen();
    try {
      return Optional.of(ResponseParsers.features(http.getJson("/features")));
    } catch (ComfyNotFoundException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- events

  /** Opens the WebSocket if it is not open yet; returns at once (connection is asynchronous). */
  public void connectEvents() {
    ensureOpen();
    stream.start();
  }

  /**
   * Receives every event this client's socket gets (including other clients' broadcasts such as
   * {@code status}). Opens the WebSocket if needed.
   */
  public Subscription addListener(ComfyEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    listeners.add(listener);
    connectEvents();
    return () -> listeners.remove(listener);
  }

  /** The clientId of the current (or next) WebSocket connection; changes on every reconnect. */
  public String clientId() {
    return stream.clientId();
  }

  /** Whether the WebSocket is open right now. */
  public boolean isConnected() {
    return stream.isConnected();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Closes the WebSocket and stops every thread, waiting at most the close timeout in total
   * (default 5 s; overruns are logged). Open {@link PromptHandle#completion()} futures fail with
   * {@link IllegalStateException}. Idempotent and safe from any thread, including listeners.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Duration each = settings.closeTimeout.dividedBy(4);
    stream.close(each);
    tracker.closeAll(new IllegalStateException("ComfyClient for " + baseUrl + " was closed"));
    poller.shutdownNow();
    NamedThreads.shutdown(poller, each, "completion poller for " + baseUrl);
    if (!isEventThread()) {
      NamedThreads.shutdown(events, each, "event dispatcher for " + baseUrl);
    } else {
      events.shutdown();
    }
    http.close(each);
  }

  private static boolean isEventThread() {
    return Thread.currentThread().getName().startsWith("comfygate-events-");
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("ComfyClient for " + baseUrl + " is closed");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public String toString() {
    return "ComfyClient[" + baseUrl + (closed.get() ? ", closed" : "") + "]";
  }

  /** Feeds tracker and listeners, on the event thread. */
  private final class StreamListener implements EventStream.Listener {
    @Override
    public void onEvent(ComfyEvent event) {
      tracker.onEvent(event);
      for (ComfyEventListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException e) {
          LOG.warn("event listener threw on {}; ignored", event.type(), e);
        }
      }
    }

    @Override
    public void onConnected(String clientId) {
      LOG.debug("events connected to {} as {}", baseUrl, clientId);
    }

    @Override
    public void onDisconnected(String clientId, String reason) {
      tracker.onDisconnected();
    }
  }

  private final class Backend implements CompletionTracker.Backend {
    @Override
    public Optional<HistoryEntry> history(String promptId) {
      return ComfyClient.this.history(promptId);
    }

    @Override
    public QueueSnapshot queue() {
      return ComfyClient.this.queue();
    }

    @Override
    public String liveClientId() {
      return stream.isConnected() ? stream.clientId() : null;
    }

    @Override
    public long lastFrameNanos() {
      return stream.lastFrameNanos();
    }
  }

  /**
   * Settings for a {@link ComfyClient}. Setters reject bad values at once, naming the field and
   * the value; {@link #build()} checks required fields and combinations. Option names follow the
   * environment keys of {@code io.comfygate.config.Settings} ({@code COMFYUI_SERVER},
   * {@code COMFY_HTTP_CONNECT_TIMEOUT}, {@code COMFY_HTTP_READ_TIMEOUT},
   * {@code COMFY_WS_CONNECT_TIMEOUT}, {@code COMFY_WS_IDLE_TIMEOUT}); this class reads no
   * environment itself. Not thread-safe.
   */
  public static final class Builder {
    private URI baseUrl;
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration readTimeout = Duration.ofSeconds(10);
    private Duration wsConnectTimeout = Duration.ofSeconds(5);
    private Duration wsIdleTimeout = Duration.ofSeconds(120);
    private Duration wsPingInterval = Duration.ofSeconds(30);
    private Duration reconnectBackoffMin = Duration.ofMillis(250);
    private Duration reconnectBackoffMax = Duration.ofSeconds(30);
    private Duration historyPollInterval = Duration.ofSeconds(1);
    private Duration safetyPollInterval = Duration.ofSeconds(30);
    private Duration downloadTimeout = Duration.ofMinutes(5);
    private Duration closeTimeout = Duration.ofSeconds(5);

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.baseUrl = baseUrl;
      b.connectTimeout = connectTimeout;
      b.readTimeout = readTimeout;
      b.wsConnectTimeout = wsConnectTimeout;
      b.wsIdleTimeout = wsIdleTimeout;
      b.wsPingInterval = wsPingInterval;
      b.reconnectBackoffMin = reconnectBackoffMin;
      b.reconnectBackoffMax = reconnectBackoffMax;
      b.historyPollInterval = historyPollInterval;
      b.safetyPollInterval = safetyPollInterval;
      b.downloadTimeout = downloadTimeout;
      b.closeTimeout = closeTimeout;
      return b;
    }

    /**
     * Required ({@code COMFYUI_SERVER}). Accepts {@code host:port} (http assumed),
     * {@code http://host:port} or {@code https://host:port}, optionally with a path prefix for a
     * reverse proxy. No query or fragment.
     */
    public Builder baseUrl(String baseUrl) {
      if (baseUrl == null || baseUrl.isBlank()) {
        throw new IllegalArgumentException("baseUrl must not be blank: '" + baseUrl + "'");
      }
      String s = baseUrl.strip();
      if (!s.contains("://")) {
        s = "http://" + s;
      }
      URI uri;
      try {
        uri = new URI(s);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("baseUrl is not a URL: '" + baseUrl + "'", e);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("baseUrl must use http or https: '" + baseUrl + "'");
      }
      if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
        throw new IllegalArgumentException("baseUrl must be scheme://host[:port][/path] without query, fragment"
            + " or user info: '" + baseUrl + "'");
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
      this.baseUrl = URI.create(scheme + "://" + uri.getRawAuthority() + path);
      return this;
    }

    /** TCP connect timeout for HTTP ({@code COMFY_HTTP_CONNECT_TIMEOUT}); default 3 s. */
    public Builder connectTimeout(Duration d) {
      connectTimeout = positive("connectTimeout", d);
      return this;
    }

    /** Per-request deadline for HTTP answers ({@code COMFY_HTTP_READ_TIMEOUT}); default 10 s. */
    public Builder readTimeout(Duration d) {
      readTimeout = positive("readTimeout", d);
      return this;
    }

    /** WebSocket connect and handshake deadline, also the pong deadline ({@code COMFY_WS_CONNECT_TIMEOUT}); default 5 s. */
    public Builder wsConnectTimeout(Duration d) {
      wsConnectTimeout = positive("wsConnectTimeout", d);
      return this;
    }

    /**
     * How long the socket may stay silent while prompts are watched before it is treated as dead
     * and replaced ({@code COMFY_WS_IDLE_TIMEOUT}); default 120 s. Keep it above the longest
     * node without progress reports.
     */
    public Builder wsIdleTimeout(Duration d) {
      wsIdleTimeout = positive("wsIdleTimeout", d);
      return this;
    }

    /** Client ping cadence on a quiet socket; default 30 s. */
    public Builder wsPingInterval(Duration d) {
      wsPingInterval = positive("wsPingInterval", d);
      return this;
    }

    /** First reconnect delay, doubled per failed attempt (with jitter); default 250 ms. */
    public Builder reconnectBackoffMin(Duration d) {
      reconnectBackoffMin = positive("reconnectBackoffMin", d);
      return this;
    }

    /** Cap on the reconnect delay; default 30 s. */
    public Builder reconnectBackoffMax(Duration d) {
      reconnectBackoffMax = positive("reconnectBackoffMax", d);
      return this;
    }

    /** Completion poll cadence while events cannot be relied on (socket down, silent, or an old clientId); default 1 s. */
    public Builder historyPollInterval(Duration d) {
      historyPollInterval = positive("historyPollInterval", d);
      return this;
    }

    /** Cadence of the poll that checks every watched prompt regardless of the socket; default 30 s. */
    public Builder safetyPollInterval(Duration d) {
      safetyPollInterval = positive("safetyPollInterval", d);
      return this;
    }

    /** Deadline for a whole {@code /view} download; default 5 min. */
    public Builder downloadTimeout(Duration d) {
      downloadTimeout = positive("downloadTimeout", d);
      return this;
    }

    /** Upper bound for {@link ComfyClient#close()}; default 5 s. */
    public Builder closeTimeout(Duration d) {
      closeTimeout = positive("closeTimeout", d);
      return this;
    }

    /**
     * Builds the client (no thread connects yet).
     *
     * @throws IllegalStateException if baseUrl is missing or settings contradict each other
     */
    public ComfyClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      if (reconnectBackoffMin.compareTo(reconnectBackoffMax) > 0) {
        throw new IllegalStateException("reconnectBackoffMin (" + reconnectBackoffMin
            + ") must not exceed reconnectBackoffMax (" + reconnectBackoffMax + ")");
      }
      if (historyPollInterval.compareTo(safetyPollInterval) > 0) {
        throw new IllegalStateException("historyPollInterval (" + historyPollInterval
            + ") must not exceed safetyPollInterval (" + safetyPollInterval + ")");
      }
      return new ComfyClient(this);
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be > 0: " + d);
      }
      return d;
    }
  }
}
