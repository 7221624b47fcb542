package io.comfygate.internal.ws;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;

/**
 * One WebSocket connection to {@code /ws?clientId=…}. Sends the {@code feature_flags} handshake as
 * the very first frame (ComfyUI ignores it later) and forwards frames to its {@link Sink}. Whole
 * messages only: Tyrus assembles fragments before calling us.
 */
final class WsLink extends Endpoint {
  static final String FEATURE_FLAGS = "{\"type\":\"feature_flags\",\"data\":{\"supports_preview_metadata\":true}}";

  /** Receives what the link sees, on a Tyrus thread; must not block. */
  interface Sink {
    void onText(WsLink link, String text);

    void onBinary(WsLink link, ByteBuffer frame);

    void onPong(WsLink link);

    void onClosed(WsLink link, String reason);
  }

  private final String clientId;
  private final Sink sink;
  private volatile Session session;

  WsLink(String clientId, Sink sink) {
    this.clientId = clientId;
    this.sink = sink;
  }

  String clientId() {
    return clientId;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    this.session = session;
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> sink.onText(this, text));
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> sink.onBinary(this, b));
    session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> sink.onPong(this));
    // Must be the first client frame, or the server ignores it; sent before onOpen returns so
    // nothing else can go first.
    session.getAsyncRemote().sendText(FEATURE_FLAGS);
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    sink.onClosed(this, "closed: " + closeReason.getCloseCode() + " " + closeReason.getReasonPhrase());
  }

  @Override
  public void onError(Session session, Throwable error) {
    sink.onClosed(this, "error: " + error);
  }

  /** Sends a ping; false if the link is not open or the send failed at once. */
  boolean ping() {
    Session s = session;
    if (s == null || !s.isOpen()) {
      return false;
    }
    try {
      s.getAsyncRemote().sendPing(ByteBuffer.wrap(new byte[] {'c', 'g'}));
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /** Closes the session; never throws. */
  void close(String reason) {
    Session s = session;
    if (s == null) {
      return;
    }
    try {
      if (s.isOpen()) {
        s.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, reason.length() > 100 ? reason.substring(0, 100) : reason));
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Closing a broken link fails routinely; the caller has already given it up.
    }
  }
}
