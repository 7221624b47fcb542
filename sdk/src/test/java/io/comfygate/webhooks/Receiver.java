package io.comfygate.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on 127.0.0.1 for tests: records every request; can be stopped, started again, or held. */
final class Receiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  record Hit(String eventId, String signature, String body, JsonNode json) {
    String type() {
      return json.path("type").asText();
    }

    String jobId() {
      return json.path("job").path("id").asText();
    }
  }

  private final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private HttpServer server;
  private int port;

  Receiver start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      try {
        if (!hold.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("receiver held for more than 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Hit hit = new Hit(exchange.getRequestHeaders().getFirst(WebhookSigner.EVENT_ID_HEADER),
          exchange.getRequestHeaders().getFirst(WebhookSigner.SIGNATURE_HEADER), body, JSON.readTree(body));
      if (refused.contains(hit.type())) {
        exchange.sendResponseHeaders(500, -1);
        exchange.close();
        return;
      }
      hits.add(hit);
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    port = server.getAddress().getPort();
    return this;
  }

  /** Closes the port: deliveries now fail to connect. */
  void stop() {
    server.stop(0);
  }

  /** Events of this type are answered 500 (and not recorded). */
  void refuse(String type) {
    refused.add(type);
  }

  /** Requests wait (unanswered) until {@link #release()}. */
  void holdRequests() {
    hold = new CountDownLatch(1);
  }

  void release() {
    hold.countDown();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port + "/hook");
  }

  List<Hit> hits() {
    return List.copyOf(hits);
  }

  /** The event types received for a job, in arrival order, each event counted once (first arrival). */
  List<String> types(String jobId) {
    java.util.LinkedHashMap<String, String> byId = new java.util.LinkedHashMap<>();
    for (Hit h : hits) {
      if (h.jobId().equals(jobId)) {
        byId.putIfAbsent(h.eventId(), h.type());
      }
    }
    return List.copyOf(byId.values());
  }

  @Override
  public void close() {
    release();
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
  }
}
