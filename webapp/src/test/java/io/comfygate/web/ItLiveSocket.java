package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client of {@code /api/v1/live} in the ITs: its messages in order, and how it was closed. */
final class ItLiveSocket implements WebSocket.Listener {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final LinkedBlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
  private final List<JsonNode> all = new ArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        JsonNode message = JSON.readTree(partial.toString());
        synchronized (all) {
          all.add(message);
        }
        queue.add(message);
      } catch (Exception e) {
        closed.completeExceptionally(e);
      }
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  CompletableFuture<Integer> closeCode() {
    return closed;
  }

  List<JsonNode> received() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  /** The next message, which must be of {@code type}. */
  JsonNode next(String type) throws InterruptedException {
    JsonNode message = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(message).as("a %s message", type).isNotNull();
    assertThat(message.get("type").asText()).as(message.toString()).isEqualTo(type);
    return message;
  }

  /** Messages up to and including the first that matches. */
  List<JsonNode> until(java.util.function.Predicate<JsonNode> last) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      JsonNode m = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(m).as("the awaited message; got %s", out).isNotNull();
      out.add(m);
      if (last.test(m)) {
        return out;
      }
    }
  }

  void close() throws Exception {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    closed.get(5, TimeUnit.SECONDS);
  }

  /** Opens a socket to {@code uri} with these header name/value pairs; the caller aborts it at the end. */
  static ItLiveSocket open(ItHttp http, URI uri, String... headers) throws Exception {
    ItLiveSocket socket = new ItLiveSocket();
    WebSocket.Builder builder = http.client().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    try {
      socket.ws = builder.buildAsync(uri, socket).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("handshake failed", e.getCause());
    }
    return socket;
  }

  WebSocket webSocket() {
    return ws;
  }
}
