package io.comfygate.examples.embedded;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.comfygate.config.Settings;
import io.comfygate.engine.JobEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine inside an existing service, without a servlet container: the JDK's own HTTP server on
 * 127.0.0.1 with three routes, {@code POST /generate}, {@code GET /jobs/{id}} and
 * {@code GET /health}. Settings are given in code; a typed listener follows every job.
 *
 * <p>Run: {@code EmbeddedService [comfyui-url] [port] [data-dir]} (defaults:
 * http://127.0.0.1:8188, 8080, ./embedded-data); Ctrl+C stops it.
 *
 * <p>{@link #close()} stops taking requests (those running get up to {@value #STOP_DELAY_SECONDS}
 * s), then closes the engine; it is idempotent and leaves no thread of ours running.
 */
public final class EmbeddedService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedService.class);
  /** Every route answers at once, so a second is plenty; Java 17's server waits it out even when idle. */
  private static final int STOP_DELAY_SECONDS = 1;

  private final JobEngine engine;
  private final EventJournal journal = new EventJournal();
  private final ExecutorService requests;
  private final HttpServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedService(JobEngine engine, int port) throws IOException {
    this.engine = engine;
    engine.addListener(journal);
    JobRoutes jobs = new JobRoutes(engine, journal);
    HealthRoute health = new HealthRoute(engine);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/generate", route("/generate", jobs::generate));
    server.createContext("/jobs/", route("/jobs/", jobs::job));
    server.createContext("/health", route("/health", health::health));
    this.requests = Executors.newFixedThreadPool(4, daemonThreads("comfygate-example-http-"));
    server.setExecutor(requests);
    server.start();
  }

  /**
   * Starts the engine against {@code comfyUi}, keeping its database and images in {@code dataDir},
   * and serves HTTP on 127.0.0.1:{@code port} (0: any free port, see {@link #port()}).
   *
   * @throws IOException if the port cannot be bound (the engine is closed again)
   */
  public static EmbeddedService start(URI comfyUi, Path dataDir, int port) throws IOException {
    // Settings in code: only these values and the defaults, nothing read from the environment.
    Settings settings = Settings.builder()
        .set("COMFYUI_SERVER", comfyUi.toString())
        .set("JOB_DB_PATH", dataDir.resolve("jobs.db").toString())
        .set("OUTPUT_DIR", dataDir.resolve("outputs").toString())
        .set("MAX_PER_USER_QUEUE", "5")
        .set("HEALTH_CHECK_INTERVAL_SECONDS", "2")
        .build();
    JobEngine engine = JobEngine.builder().settings(settings).build();
    try {
      EmbeddedService service = new EmbeddedService(engine, port);
      LOG.info("serving on {} with ComfyUI at {}", service.baseUrl(), comfyUi);
      return service;
    } catch (IOException | RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  public static void main(String[] args) throws IOException {
    URI comfyUi = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8188");
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
    Path data = Path.of(args.length > 2 ? args[2] : "embedded-data");
    EmbeddedService service = start(comfyUi, data, port);
    Runtime.getRuntime().addShutdownHook(new Thread(service::close, "embedded-service-shutdown"));
    System.out.println("POST " + service.baseUrl() + "/generate {\"prompt\": \"a cat\"}, GET /jobs/{id}, GET /health."
        + " Ctrl+C stops.");
    // main returns; the HTTP server's dispatcher thread keeps the JVM running until close().
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** How many job events of each kind the listener has seen (enqueue, job_start, job_progress …). */
  public Map<String, Long> eventCounts() {
    return journal.counts();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(STOP_DELAY_SECONDS);
    requests.shutdown();
    try {
      if (!requests.awaitTermination(STOP_DELAY_SECONDS, TimeUnit.SECONDS)) {
        requests.shutdownNow();
        LOG.warn("requests still running after {} s were interrupted", STOP_DELAY_SECONDS);
      }
    } catch (InterruptedException e) {
      requests.shutdownNow();
      Thread.currentThread().interrupt();
    }
    engine.close();
    LOG.info("stopped; job events seen: {}", journal.counts());
  }

  /**
   * Answers 404 for paths the context matches but the route does not serve (a context also takes
   * longer paths: "/health/x"), and 500 with a logged cause when the handler fails unexpectedly.
   */
  private static HttpHandler route(String path, HttpHandler handler) {
    return exchange -> {
      String asked = exchange.getRequestURI().getPath();
      try {
        if (path.endsWith("/") ? asked.length() > path.length() : asked.equals(path)) {
          handler.handle(exchange);
        } else {
          Exchanges.error(exchange, 404, "not_found", "no route " + asked);
        }
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", exchange.getRequestMethod(), asked, e);
        Exchanges.error(exchange, 500, "internal", "the request failed; the service's log has the cause");
      } finally {
        exchange.close();
      }
    };
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
