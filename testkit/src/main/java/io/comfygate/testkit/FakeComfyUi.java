package io.comfygate.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake ComfyUI 0.3.64 on a real socket: HTTP routes and the {@code /ws} WebSocket of the real
 * server, a sequential worker that emits the recorded event order, real PNG outputs, and fault
 * knobs for tests. "The MockWebServer of ComfyUI".
 *
 * <pre>{@code
 * try (FakeComfyUi fake = FakeComfyUi.builder().steps(4).start()) {
 *   URI base = fake.baseUrl();   // http://127.0.0.1:PORT
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. <b>Lifecycle:</b> {@link
 * Builder#start()} returns a running fake bound to 127.0.0.1; {@link #stop()} and {@link #restart()}
 * take it down and up on the same port; {@link #close()} releases the port, the worker thread and
 * the temporary folder holding uploads and outputs. Two fakes in one JVM share nothing.
 *
 * <p><b>Restart semantics:</b> like a restarted ComfyUI, {@link #stop()} forgets the queue, the
 * running prompt (it sends nothing more and writes no history), the history and the output cache,
 * and ends every WebSocket. Files on disk (uploads, outputs) survive. Fault knobs survive too.
 */
public final class FakeComfyUi implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final FakeServerState state;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lifecycle = new Object();
  private final int port;
  private TomcatServer server; // guarded by lifecycle; null while stopped

  private FakeComfyUi(FakeConfig config) {
    this.state = new FakeServerState(config, "comfygate-fake-worker-" + INSTANCES.incrementAndGet());
    try {
      this.server = TomcatServer.start(state, config.port());
    } catch (RuntimeException e) {
      state.files().close();
      throw e;
    }
    this.port = server.port();
    state.worker().start();
  }

  /** A builder with the defaults: port 0, 4 steps of 10 ms, 100 MiB max upload. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code http://127.0.0.1:PORT}, no trailing slash. Stays the same across restarts. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  // --- recorded requests ---

  /**
   * The next HTTP request not yet taken, waiting up to {@code timeout}; null on timeout. WebSocket
   * handshakes are not recorded.
   *
   * @throws IllegalStateException if the calling thread is interrupted (its flag is restored)
   */
  public RecordedRequest takeRequest(Duration timeout) {
    try {
      return state.requests().take(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a request", e);
    }
  }

  /** Every HTTP request received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return state.requests().all();
  }

  // --- lifecycle knobs ---

  /**
   * Goes down: the port refuses connections, WebSockets end, queue, history and cache are
   * forgotten. No-op when already stopped.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public void stop() {
    synchronized (lifecycle) {
      ensureOpen();
      if (server == null) {
        return;
      }
      state.queue().reset();
      state.worker().clearCache();
      state.hub().dropAll();
      server.stop();
      server = null;
    }
  }

  /**
   * Comes back on the same port (stopping first if running), with an empty queue and history.
   *
   * @throws IllegalStateException after {@link #close()}, or if the port cannot be bound again
   */
  public void restart() {
    synchronized (lifecycle) {
      stop();
      server = TomcatServer.start(state, port);
    }
  }

  /** Whether the fake is up (not stopped, not closed). */
  public boolean isRunning() {
    synchronized (lifecycle) {
      return server != null;
    }
  }

  // --- fault knobs ---

  /**
   * Makes every node without progress steps take this long, like ComfyUI's slow CPU nodes (an
   * ImageBlur of 512² took 7 s in the recordings), so tests can act while a prompt runs; zero = off.
   */
  public void slowNodes(Duration perNode) {
    if (perNode == null || perNode.isNegative()) {
      throw new IllegalArgumentException("slowNodes must be >= 0: " + perNode);
    }
    state.faults().nodeDelay(perNode);
  }

  /** Following prompts that contain node {@code nodeId} fail there with a real-shaped execution_error. */
  public void failAtNode(String nodeId, String message) {
    state.faults().failAtNode(Objects.requireNonNull(nodeId, "nodeId"), Objects.requireNonNull(message, "message"));
  }

  /**
   * Freezes the worker where it is (true) or lets it go on (false): no more WebSocket messages, the
   * prompt stays in queue_running and writes no history. HTTP keeps answering.
   */
  public void hang(boolean hang) {
    state.faults().hang(hang);
  }

  /** Sockets stay open but the server sends nothing (ComfyUI's silent WS loss); HTTP still answers. */
  public void muteWebSockets(boolean mute) {
    state.faults().muted(mute);
  }

  /** Abruptly ends every WebSocket connection, without a close frame. */
  public void dropWebSockets() {
    state.hub().dropAll();
  }

  /**
   * Delays every HTTP answer by this much (to exceed a client's read timeout); zero = off. The
   * WebSocket handshake is not delayed; use {@link #muteWebSockets} for WebSocket faults.
   */
  public void httpDelay(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("httpDelay must be >= 0: " + delay);
    }
    state.faults().httpDelay(delay);
  }

  /**
   * Every HTTP route answers this status with aiohttp's plain-text body ({@code "500 Internal
   * Server Error\n\nServer got itself in trouble"} for 500); 0 = off. The WebSocket handshake still
   * succeeds.
   */
  public void httpFailure(int status) {
    if (status != 0 && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("httpFailure must be 0 or 400..599: " + status);
    }
    state.faults().httpFailure(status);
  }

  /**
   * Reproduces ComfyUI #16010: when a client reconnects with the same id, the old socket's close
   * unregisters the new one, which then receives nothing.
   */
  public void sameIdReconnectBug(boolean on) {
    state.hub().sameIdReconnectBug(on);
  }

  /** Turns every fault knob off (failAtNode, hang, mute, slowNodes, delay, failure, reconnect bug). */
  public void clearFaults() {
    state.faults().clear();
    state.hub().sameIdReconnectBug(false);
  }

  /**
   * Back to a fresh state without restarting: faults off, pending queue, history, output cache and
   * recorded requests cleared. A prompt still running finishes normally.
   */
  public void reset() {
    clearFaults();
    state.queue().clearPending();
    state.queue().clearHistory();
    state.worker().clearCache();
    state.requests().clear();
  }

  // --- raw WebSocket pushes ---

  /** Pushes a raw text frame to one client, or to every client when {@code clientId} is null. */
  public void emit(String clientId, String jsonText) {
    state.hub().send(clientId, Objects.requireNonNull(jsonText, "jsonText"));
  }

  /** Pushes a raw binary frame to one client, or to every client when {@code clientId} is null. */
  public void emitBinary(String clientId, byte[] frame) {
    state.hub().sendBinary(clientId, Objects.requireNonNull(frame, "frame").clone());
  }

  // --- state probes ---

  /** Client ids with a live WebSocket. */
  public List<String> connectedClientIds() {
    return state.hub().clientIds();
  }

  public int queueRunningCount() {
    return state.queue().running() == null ? 0 : 1;
  }

  public int queuePendingCount() {
    return state.queue().pending().size();
  }

  /** Prompt ids with a history entry, oldest first. */
  public Set<String> historyIds() {
    return state.queue().historyIds();
  }

  /**
   * Stops the server and the worker and deletes the fake's files. Idempotent; bounded (the worker
   * gets 2 s to end); leaves no thread of its own behind.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    synchronized (lifecycle) {
      state.hub().dropAll();
      if (server != null) {
        server.stop();
        server = null;
      }
    }
    state.worker().close();
    state.files().close();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("FakeComfyUi is closed");
    }
  }

  /** Settings of a fake; every setter is optional. Not thread-safe; use from one thread. */
  public static final class Builder {
    private int port;
    private int steps = 4;
    private Duration stepDelay = Duration.ofMillis(10);
    private long maxUploadSize = 100L * 1024 * 1024;
    private boolean samplerPreviews;

    private Builder() {}

    /** 0 (default) = a free port; a fixed port for the standalone main. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Progress steps of each sampling node (KSampler); default 4. */
    public Builder steps(int steps) {
      if (steps < 1) {
        throw new IllegalArgumentException("steps must be >= 1: " + steps);
      }
      this.steps = steps;
      return this;
    }

    /** Duration of each sampling step; default 10 ms. */
    public Builder stepDelay(Duration stepDelay) {
      if (stepDelay == null || stepDelay.isNegative()) {
        throw new IllegalArgumentException("stepDelay must be >= 0: " + stepDelay);
      }
      this.stepDelay = stepDelay;
      return this;
    }

    /** Largest accepted request body in bytes (413 above it); default 104857600, as ComfyUI. */
    public Builder maxUploadSize(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxUploadSize must be > 0: " + bytes);
      }
      this.maxUploadSize = bytes;
      return this;
    }

    /**
     * Whether sampling steps carry a latent preview image, as with {@code --preview-method auto};
     * default false, as ComfyUI's default {@code none}.
     */
    public Builder samplerPreviews(boolean on) {
      this.samplerPreviews = on;
      return this;
    }

    /**
     * Binds 127.0.0.1 and starts the worker.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public FakeComfyUi start() {
      return new FakeComfyUi(new FakeConfig(port, steps, stepDelay, maxUploadSize, samplerPreviews));
    }
  }
}
