package io.comfygate.internal.ws;

import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.json.BinaryFrames;
import io.comfygate.internal.json.EventParser;
import io.comfygate.internal.http.OwnedHttpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API. Keeps one live WebSocket to a ComfyUI server: connects with a deadline,
 * parses frames into {@link ComfyEvent}s handed to an executor (never blocking the socket
 * thread), and reconnects with bounded exponential backoff.
 *
 * <p>Every connection uses a <em>fresh</em> clientId: ComfyUI issue #16010 shows that reusing an
 * id can leave the new socket unregistered and silent. The price is that events of prompts
 * submitted under an old id are lost; the completion tracker covers that by polling.
 *
 * <p>A link is declared dead when it closes, when a ping goes unanswered for the connect
 * timeout, or when no frame arrived for the idle timeout while {@code watching} is true (a muted
 * server keeps answering pings but sends nothing). All state changes run on one scheduler thread
 * ({@code comfygate-ws-N}); frames arrive on the JDK WebSocket's callbacks, run by this stream's
 * own threads ({@code comfygate-ws-io-N}). The JDK {@link HttpClient} behind it is released on
 * close ({@link OwnedHttpClient}); nothing of it is shared between streams. Thread-safe.
 */
public final class EventStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  /** How long closing a link waits for its Close frame to be written before dropping the connection. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

  /** Callbacks, all invoked on the dispatch executor in order. */
  public interface Listener {
    void onEvent(ComfyEvent event);

    void onConnected(String clientId);

    void onDisconnected(String clientId, String reason);
  }

  /** Timing knobs; validated by the client builder. */
  public record Options(Duration connectTimeout, Duration idleTimeout, Duration pingInterval,
      Duration backoffMin, Duration backoffMax) {}

  private final URI wsBase;
  private final Options options;
  private final Listener listener;
  private final Executor dispatch;
  private final BooleanSupplier watching;
  private final ScheduledExecutorService scheduler;
  private final OwnedHttpClient http;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lock = new Object();

  // Guarded by lock.
  private WsLink current;
  /** The link being opened, whose early frames are already ours; guarded by {@code lock}. */
  private WsLink connecting;
  private boolean connected;
  private String nextClientId = freshId();
  private int failedAttempts;
  private boolean reconnectScheduled;
  private CountDownLatch connectedLatch = new CountDownLatch(1);

  private volatile long lastFrameNanos = System.nanoTime();
  private volatile long pingSentNanos;
  private volatile boolean pingOutstanding;

  public EventStream(URI wsBase, Options options, Listener listener, Executor dispatch, BooleanSupplier watching) {
    this.wsBase = wsBase;
    this.options = options;
    this.listener = listener;
    this.dispatch = dispatch;
    this.watching = watching;
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("ws"));
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    // The client's own tasks and the listener callbacks run on its two threads; all are short.
    this.http = OwnedHttpClient.anyVersion("ws-io", options.connectTimeout());
  }

  /** Starts connecting (once; later calls do nothing). */
  public void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      return;
    }
    scheduler.execute(this::connectOnce);
    long checkMillis = Math.max(20, Math.min(1000, options.idleTimeout().toMillis() / 4));
    scheduler.scheduleWithFixedDelay(this::checkLiveness, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
  }

  public boolean isStarted() {
    return started.get();
  }

  /** The id of the live connection, or of the one being attempted. */
  public String clientId() {
    synchronized (lock) {
      return current != null ? current.clientId() : nextClientId;
    }
  }

  public boolean isConnected() {
    synchronized (lock) {
      return connected;
    }
  }

  /** Nanos ({@link System#nanoTime()}) when the last frame arrived. */
  public long lastFrameNanos() {
    return lastFrameNanos;
  }

  /** Restarts the idle clock, e.g. when watching begins after a quiet period. */
  public void markActivity() {
    lastFrameNanos = System.nanoTime();
  }

  /**
   * Waits until a connection is open, at most {@code timeout}.
   *
   * @return whether it is open
   * @throws ComfyInterruptedException if interrupted (flag restored)
   */
  public boolean awaitConnected(Duration timeout) {
    CountDownLatch latch;
    synchronized (lock) {
      if (connected) {
        return true;
      }
      latch = connectedLatch;
    }
    try {
      return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComfyInterruptedException("interrupted while waiting for the WebSocket to " + wsBase, e);
    }
  }

  /** Drops the current link (if any) and reconnects under a fresh id. */
  public void forceReconnect(String reason) {
    if (!closed.get() && started.get()) {
      scheduler.execute(() -> dropAndReconnect(reason));
    }
  }

  private void connectOnce() {
    String id;
    synchronized (lock) {
      reconnectScheduled = false;
      if (closed.get() || current != null) {
        return;
      }
      id = nextClientId;
    }
    URI uri = URI.create(wsBase + "/ws?clientId=" + id);
    WsLink link = new WsLink(id, new Sink(), MAX_MESSAGE_BYTES);
    synchronized (lock) {
      // The server's first frame (status with our sid) can arrive before the handshake returns.
      connecting = link;
    }
    try {
      open(uri, link);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // closing: the scheduler was stopped
      }
      int attempt;
      synchronized (lock) {
        connecting = null;
        attempt = ++failedAttempts;
        nextClientId = freshId();
      }
      LOG.debug("WebSocket connect to {} failed (attempt {}): {}", uri, attempt, e.toString());
      scheduleReconnect();
      return;
    }
    CountDownLatch toRelease;
    boolean kept;
    synchronized (lock) {
      connecting = null;
      kept = !closed.get();
      if (kept) {
        current = link;
        connected = true;
        failedAttempts = 0;
      }
      toRelease = connectedLatch;
    }
    if (!kept) {
      link.close("client closed", CLOSE_WAIT);
      return;
    }
    lastFrameNanos = System.nanoTime();
    pingOutstanding = false;
    LOG.debug("WebSocket connected to {}", uri);
    toRelease.countDown();
    dispatch.execute(() -> listener.onConnected(id));
  }

  /**
   * Opens {@code link}, bounded by the connect timeout (the JDK bounds the handshake by it too; the
   * wait has a small margin). A socket that opens only after the wait gave up is aborted.
   */
  private void open(URI uri, WsLink link) throws Exception {
    HttpClient client = http.client().orElseThrow(() -> new IllegalStateException("closed"));
    CompletableFuture<WebSocket> opening = client.newWebSocketBuilder()
        .connectTimeout(options.connectTimeout())
        .buildAsync(uri, link);
    try {
      opening.get(options.connectTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      opening.thenAccept(WebSocket::abort);
      throw e;
    }
  }

  private void dropAndReconnect(String reason) {
    WsLink dropped;
    synchronized (lock) {
      dropped = current;
      if (dropped == null) {
        return;
      }
      current = null;
      connected = false;
      nextClientId = freshId();
      connectedLatch = new CountDownLatch(1);
    }
    LOG.info("WebSocket to {} (clientId {}) given up: {}; reconnecting", wsBase, dropped.clientId(), reason);
    dropped.close(reason, CLOSE_WAIT);
    dispatch.execute(() -> listener.onDisconnected(dropped.clientId(), reason));
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay;
    synchronized (lock) {
      if (closed.get() || reconnectScheduled) {
        return;
      }
      reconnectScheduled = true;
      long min = options.backoffMin().toMillis();
      long exp = min << Math.min(failedAttempts, 16);
      long capped = Math.min(options.backoffMax().toMillis(), exp);
      // Jitter keeps many clients from reconnecting in lockstep after a server restart.
      delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }
    try {
      scheduler.schedule(this::connectOnce, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: nothing to reconnect.
    }
  }

  private void checkLiveness() {
    WsLink link;
    synchronized (lock) {
      link = current;
    }
    if (link == null) {
      return;
    }
    long now = System.nanoTime();
    if (pingOutstanding && now - pingSentNanos > options.connectTimeout().toNanos()) {
      dropAndReconnect("no pong within " + options.connectTimeout());
      return;
    }
    if (watching.getAsBoolean() && now - lastFrameNanos > options.idleTimeout().toNanos()) {
      dropAndReconnect("no message for " + options.idleTimeout() + " while prompts are watched");
      return;
    }
    if (!pingOutstanding && now - Math.max(lastFrameNanos, pingSentNanos) > options.pingInterval().toNanos()) {
      pingSentNanos = now;
      pingOutstanding = link.ping();
    }
  }

  /** Frames from WebSocket callbacks; ignores links that were already replaced. */
  private final class Sink implements WsLink.Sink {
    private boolean isCurrent(WsLink link) {
      synchronized (lock) {
        return current == link || connecting == link;
      }
    }

    @Override
    public void onText(WsLink link, String text) {
      if (!isCurrent(link)) {
        return;
      }
      lastFrameNanos = System.nanoTime();
      ComfyEvent event;
      try {
        event = EventParser.parse(text);
      } catch (RuntimeException e) {
        LOG.warn("skipping unparseable WebSocket frame from {}: {}", wsBase, e.getMessage());
        return;
      }
      deliver(event);
    }

    @Override
    public void onBinary(WsLink link, ByteBuffer frame) {
      if (!isCurrent(link)) {
        return;
      }
      lastFrameNanos = System.nanoTime();
      BinaryFrames.decode(frame).ifPresent(this::deliver);
    }

    @Override
    public void onPong(WsLink link) {
      pingOutstanding = false;
    }

    @Override
    public void onClosed(WsLink link, String reason) {
      if (!closed.get() && isCurrent(link)) {
        scheduler.execute(() -> {
          if (isCurrent(link)) {
            dropAndReconnect(reason);
          }
        });
      }
    }

    private void deliver(ComfyEvent event) {
      try {
        dispatch.execute(() -> listener.onEvent(event));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The client is closing; late frames are dropped on purpose.
      }
    }
  }

  /** Closes the link and stops all threads, waiting at most {@code timeout}. Idempotent. */
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WsLink link;
    synchronized (lock) {
      link = current;
      current = null;
      connected = false;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    scheduler.shutdownNow();
    if (link != null) {
      link.close("client closed", CLOSE_WAIT);
    }
    try {
      if (!scheduler.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
        LOG.warn("WebSocket scheduler for {} did not stop within {}", wsBase, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close(Duration.ofMillis(Math.max(1, remainingMillis(deadline))));
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** 32 hex characters, the shape ComfyUI itself generates. */
  static String freshId() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
