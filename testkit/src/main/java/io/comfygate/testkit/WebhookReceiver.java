package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver for tests, on 127.0.0.1 at {@code /hook}: records every ComfyGate delivery
 * (event id, signature header, raw body) and answers 204. Fault knobs: {@link #stop()} and
 * {@link #start()} again on the same port (receiver down, then back), {@link #holdRequests()} (no
 * answer until {@link #release()}), {@link #refuse(String)} (HTTP 500 for one event type).
 */
public final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HOLD_LIMIT_SECONDS = 30;

  /** One delivery as received. */
  public record Hit(String eventId, String signature, String body, JsonNode json) {
    public String type() {
      return json.path("type").asText();
    }

    public String jobId() {
      return json.path("job").path("id").asText();
    }
  }

  private final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private HttpServer server;
  private int port;

  /** Listens (again): on a free port the first time, then on the same one. */
  public synchronized WebhookReceiver start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/hook", this::handle);
    server.start();
    port = server.getAddress().getPort();
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (!hold.await(HOLD_LIMIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("receiver held for more than " + HOLD_LIMIT_SECONDS + " s");
      }
      Hit hit = new Hit(exchange.getRequestHeaders().getFirst("ComfyGate-Event-Id"),
          exchange.getRequestHeaders().getFirst("ComfyGate-Signature"), body, JSON.readTree(body));
      if (refused.contains(hit.type())) {
        exchange.sendResponseHeaders(500, -1);
        return;
      }
      hits.add(hit);
      exchange.sendResponseHeaders(204, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  /** Closes the port: deliveries now fail to connect (and any held request is cut off). */
  public synchronized void stop() {
    server.stop(0);
  }

  /** Requests wait, unanswered, until {@link #release()}. */
  public void holdRequests() {
    hold = new CountDownLatch(1);
  }

  public void release() {
    hold.countDown();
  }

  /** Events of this type ({@code job.queued}…) are answered 500 and not recorded. */
  public void refuse(String type) {
    refused.add(type);
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port + "/hook");
  }

  /** Every recorded delivery, in arrival order (repeats included). */
  public List<Hit> hits() {
    return List.copyOf(hits);
  }

  /** The deliveries about one job, in arrival order (repeats included). */
  public List<Hit> hits(String jobId) {
    return hits.stream().filter(h -> h.jobId().equals(jobId)).toList();
  }

  /** A job's event types in order of first arrival, each event id counted once. */
  public List<String> types(String jobId) {
    Map<String, String> byId = new LinkedHashMap<>();
    hits(jobId).forEach(h -> byId.putIfAbsent(h.eventId(), h.type()));
    return List.copyOf(byId.values());
  }

  @Override
  public synchronized void close() {
    release();
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
  }
}
