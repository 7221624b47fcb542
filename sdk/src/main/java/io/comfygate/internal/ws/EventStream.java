package io.comfygate.internal.ws;

import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.internal.concurrent.NamedThreads;
import io.comfygate.internal.json.BinaryFrames;
import io.comfygate.internal.json.EventParser;
import jakarta.websocket.ClientEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.client.ThreadPoolConfig;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;
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
 * ({@code comfygate-ws-N}); frames arrive on Tyrus threads. Thread-safe.
 */
public final class EventStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

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
  private final ClientManager tyrus;
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
    this.tyrus = ClientManager.createClient(JdkClientContainer.class.getName());
    tyrus.getProperties().put(ClientProperties.SHARED_CONTAINER, false);
    // Tyrus's JDK transport keeps one class-loader-wide channel group and stops it this long after
    // the last connection closed (default 30 s); short, so its threads end soon after close.
    tyrus.getProperties().put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, 1);
    tyrus.getProperties().put(ClientProperties.HANDSHAKE_TIMEOUT, options.connectTimeout().toMillis());
    tyrus.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, MAX_MESSAGE_BYTES);
    // No core threads and a short keep-alive: Tyrus's JDK container does not always shut its
    // channel-group pool down when the last connection closes, so idle workers must expire.
    tyrus.getProperties().put(ClientProperties.WORKER_THREAD_POOL_CONFIG, ThreadPoolConfig.defaultConfig()
        .setThreadFactory(NamedThreads.factory("ws-io")).setCorePoolSize(0).setMaxPoolSize(3)
        .setKeepAliveTime(1, TimeUnit.SECONDS).setDaemon(true));
    tyrus.setDefaultMaxBinaryMessageBufferSize(MAX_MESSAGE_BYTES);
    tyrus.setDefaultMaxTextMessageBufferSize(MAX_MESSAGE_BYTES);
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
    WsLink link = new WsLink(id, new Sink());
    synchronized (lock) {
      // The server's first frame (status with our sid) can arrive before connectToServer returns.
      connecting = link;
    }
    try {
      // Tyrus bounds the handshake by HANDSHAKE_TIMEOUT (= connect timeout).
      tyrus.connectToServer(link, ClientEndpointConfig.Builder.create().build(), uri);
    } catch (Exception e) {
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
    synchronized (lock) {
      connecting = null;
      if (closed.get()) {
        link.close("client closed");
        return;
      }
      current = link;
      connected = true;
      failedAttempts = 0;
      toRelease = connectedLatch;
    }
    lastFrameNanos = System.nanoTime();
    pingOutstanding = false;
    LOG.debug("WebSocket connected to {}", uri);
    toRelease.countDown();
    dispatch.execute(() -> listener.onConnected(id));
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
    dropped.close(reason);
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

  /** Frames from Tyrus threads; ignores links that were already replaced. */
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
    scheduler.shutdownNow();
    if (link != null) {
      link.close("client closed");
    }
    try {
      if (!scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("WebSocket scheduler for {} did not stop within {}", wsBase, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tyrus.shutdown();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /**
   * For an application being stopped, after every stream is closed: Tyrus's JDK transport keeps a
   * static scheduler thread ({@code tyrus-jdk-container-idle-timeout}) that never ends, which would
   * pin the class loader Tyrus was loaded by. Lets its pending task (stopping the channel group)
   * run, stops it, and waits at most {@code timeout} for it and the channel group's threads. No
   * WebSocket of Tyrus loaded by the same class loader can be closed cleanly afterwards.
   */
  public static void releaseSharedThreads(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ScheduledExecutorService idleScheduler;
    AsynchronousChannelGroup group;
    try {
      Class<?> transport = Class.forName(TYRUS_TRANSPORT, false, JdkClientContainer.class.getClassLoader());
      idleScheduler = (ScheduledExecutorService) staticField(transport, "connectionCloseScheduler");
      group = (AsynchronousChannelGroup) staticField(transport, "channelGroup");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot release Tyrus's WebSocket threads ({}); they may keep this application loaded", e.toString());
      return;
    }
    idleScheduler.shutdown(); // delayed tasks still run: the channel group is stopped first
    try {
      if (!idleScheduler.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
        LOG.warn("Tyrus's idle-timeout scheduler did not stop within {}", timeout);
      }
      if (group != null) {
        // Our clients are closed by now, so whatever the group still serves is ours; waiting for
        // Tyrus's idle timeout to close it left its epoll thread running at undeploy.
        try {
          group.shutdownNow();
        } catch (IOException e) {
          LOG.warn("closing Tyrus's WebSocket channel group: {}", e.toString());
        }
      }
      if (group != null && !group.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
        LOG.warn("Tyrus's WebSocket channel group did not stop within {}", timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ComfyInterruptedException("interrupted while releasing the WebSocket threads", e);
    }
  }

  private static final String TYRUS_TRANSPORT = "org.glassfish.tyrus.container.jdk.client.TransportFilter";

  private static Object staticField(Class<?> type, String name) throws ReflectiveOperationException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(null);
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** 32 hex characters, the shape ComfyUI itself generates. */
  static String freshId() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
