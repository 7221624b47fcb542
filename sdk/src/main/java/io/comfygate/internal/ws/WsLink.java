package io.comfygate.internal.ws;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection to {@code /ws?clientId=…} over the JDK's {@link WebSocket}. Sends the
 * {@code feature_flags} handshake as the very first frame (ComfyUI ignores it later), assembles
 * fragmented messages (at most {@code maxMessageBytes} each) and forwards whole messages to its
 * {@link Sink}. The JDK answers the server's pings itself.
 */
final class WsLink implements WebSocket.Listener {
  static final String FEATURE_FLAGS = "{\"type\":\"feature_flags\",\"data\":{\"supports_preview_metadata\":true}}";

  /** Receives what the link sees, on a WebSocket callback thread; must not block. */
  interface Sink {
    void onText(WsLink link, String text);

    void onBinary(WsLink link, ByteBuffer frame);

    void onPong(WsLink link);

    void onClosed(WsLink link, String reason);
  }

  private final String clientId;
  private final Sink sink;
  private final int maxMessageBytes;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile WebSocket socket;
  // The JDK calls a listener one callback at a time, so these need no lock.
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

  WsLink(String clientId, Sink sink, int maxMessageBytes) {
    this.clientId = clientId;
    this.sink = sink;
    this.maxMessageBytes = maxMessageBytes;
  }

  String clientId() {
    return clientId;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    this.socket = webSocket;
    // Must be the first client frame, or the server ignores it; sent before any other send can be.
    webSocket.sendText(FEATURE_FLAGS, true);
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    if (text.length() + data.length() > maxMessageBytes) {
      return tooLarge(webSocket, "text");
    }
    text.append(data);
    if (last) {
      String message = text.toString();
      text.setLength(0);
      sink.onText(this, message);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    if (binary.size() + data.remaining() > maxMessageBytes) {
      return tooLarge(webSocket, "binary");
    }
    // The JDK may reuse the buffer once this returns: copy it.
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    binary.writeBytes(chunk);
    if (last) {
      ByteBuffer message = ByteBuffer.wrap(binary.toByteArray());
      binary.reset();
      sink.onBinary(this, message);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    sink.onPong(this);
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    end("closed: " + statusCode + " " + reason);
    // Answered with a Close by the JDK; then the connection is closed at once.
    webSocket.abort();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    end("error: " + error);
  }

  private CompletionStage<?> tooLarge(WebSocket webSocket, String kind) {
    end("error: " + kind + " message larger than " + maxMessageBytes + " bytes");
    webSocket.abort();
    return null;
  }

  private void end(String reason) {
    if (ended.compareAndSet(false, true)) {
      sink.onClosed(this, reason);
    }
  }

  /** Sends a ping; false if the link is not open or the send failed at once. */
  boolean ping() {
    WebSocket s = socket;
    if (s == null || s.isOutputClosed()) {
      return false;
    }
    try {
      return !s.sendPing(ByteBuffer.wrap(new byte[] {'c', 'g'})).isCompletedExceptionally();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Sends a Close frame, waits at most {@code wait} for it to be written, then closes the
   * connection without waiting for the server's answer: the link has been given up. Never throws.
   */
  void close(String reason, Duration wait) {
    ended.set(true); // a close we asked for is not reported back
    WebSocket s = socket;
    if (s == null) {
      return;
    }
    try {
      if (!s.isOutputClosed()) {
        s.sendClose(WebSocket.NORMAL_CLOSURE, reason.length() > 100 ? reason.substring(0, 100) : reason)
            .get(wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // Closing a broken link fails routinely; it is aborted below all the same.
    } finally {
      s.abort();
    }
  }
}
