package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A JDK WebSocket client that records every frame, with bounded waits. */
final class WsRecorder implements AutoCloseable {
  /** One received frame: text (json set) or binary (bytes set). */
  record Frame(String text, JsonNode json, byte[] bytes) {
    String type() {
      return json != null ? json.path("type").asText() : "binary:" + ByteBuffer.wrap(bytes).getInt(0);
    }
  }

  private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final List<Frame> seen = new ArrayList<>();
  final WebSocket ws;
  volatile boolean closed;

  private WsRecorder(HttpClient http, URI uri, String firstMessage) throws Exception {
    ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();
          private final java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();

          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              String t = text.toString();
              text.setLength(0);
              frames.add(new Frame(t, Json.parse(t), null));
            }
            w.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            if (last) {
              frames.add(new Frame(null, null, bin.toByteArray()));
              bin.reset();
            }
            w.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed = true;
            return null;
          }

          @Override
          public void onError(WebSocket w, Throwable error) {
            closed = true;
          }
        }).get(5, TimeUnit.SECONDS);
    // The server registers the socket, then greets it with "status": until that frame is here, a
    // prompt's first events could be sent before the server knows this client (left unread here).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (frames.peek() == null && !closed && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    if (firstMessage != null) {
      ws.sendText(firstMessage, true).get(5, TimeUnit.SECONDS);
    }
  }

  static WsRecorder connect(HttpClient http, FakeComfyUi fake, String clientId) throws Exception {
    return connect(http, fake, clientId, null);
  }

  static WsRecorder connect(HttpClient http, FakeComfyUi fake, String clientId, String firstMessage) throws Exception {
    String q = clientId == null ? "" : "?clientId=" + clientId;
    return new WsRecorder(http, URI.create("ws://127.0.0.1:" + fake.port() + "/ws" + q), firstMessage);
  }

  /** The next frame within the timeout, or null. */
  Frame next(Duration timeout) throws InterruptedException {
    Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (f != null) {
      seen.add(f);
    }
    return f;
  }

  /** Frames up to and including the first that matches; fails after the timeout. */
  List<Frame> until(Predicate<Frame> end, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Frame> out = new ArrayList<>();
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left > 0 ? next(Duration.ofNanos(left)) : null;
      if (f == null) {
        throw new AssertionError("no matching frame within " + timeout + "; got " + types(out));
      }
      out.add(f);
      if (end.test(f)) {
        return out;
      }
    }
  }

  /** Frames up to the end of a run: {@code executing} with node null. */
  List<Frame> untilDone(Duration timeout) throws InterruptedException {
    return until(f -> f.json != null && "executing".equals(f.type()) && f.json.path("data").path("node").isNull()
        && f.json.path("data").has("prompt_id"), timeout);
  }

  /** Whether no frame arrives for the whole period (used only to prove silence). */
  boolean silentFor(Duration period) throws InterruptedException {
    return next(period) == null;
  }

  static List<String> types(List<Frame> frames) {
    return frames.stream().map(Frame::type).toList();
  }

  @Override
  public void close() {
    ws.abort();
  }
}
