package io.comfygate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live WebSocket connections by client id, as ComfyUI's {@code sockets} dict: a message for a
 * client that is not connected right now is dropped. Thread-safe; each socket's sends are serialised.
 */
final class SocketHub {
  /** One connection. Its flags are set once, by the client's first message. */
  static final class Socket {
    final Session session;
    final String clientId;
    volatile boolean previewMetadata;
    volatile boolean firstMessageSeen;

    Socket(Session session, String clientId) {
      this.session = session;
      this.clientId = clientId;
    }
  }

  private final Map<String, Socket> byClient = new ConcurrentHashMap<>();
  private final Faults faults;
  private volatile boolean sameIdReconnectBug;

  SocketHub(Faults faults) {
    this.faults = faults;
  }

  void sameIdReconnectBug(boolean on) {
    sameIdReconnectBug = on;
  }

  /** A newer socket with the same id replaces the older one, which stays open but gets nothing. */
  void register(Socket s) {
    byClient.put(s.clientId, s);
  }

  void unregister(Socket s) {
    if (sameIdReconnectBug) {
      byClient.remove(s.clientId); // ComfyUI #16010: the old handler pops the replacement too
    } else {
      byClient.remove(s.clientId, s);
    }
  }

  List<String> clientIds() {
    return new ArrayList<>(byClient.keySet());
  }

  boolean isConnected(String clientId) {
    return clientId != null && byClient.containsKey(clientId);
  }

  /** Sends a text frame to one client, or to every client when {@code clientId} is null. */
  void send(String clientId, String text) {
    for (Socket s : targets(clientId)) {
      sendText(s, text);
    }
  }

  void sendBinary(String clientId, byte[] frame) {
    for (Socket s : targets(clientId)) {
      write(s, () -> s.session.getBasicRemote().sendBinary(ByteBuffer.wrap(frame)));
    }
  }

  /**
   * One progress step with a preview, in the order the real server uses for each kind of socket:
   * progress then a type-1 frame, or (for sockets that declared supports_preview_metadata, and only
   * when the prompt has a client id) a type-4 frame then progress.
   */
  void progressWithPreview(String clientId, String progressText, byte[] png, ObjectNode metadata) {
    for (Socket s : targets(clientId)) {
      if (clientId != null && s.previewMetadata) {
        byte[] meta = Json.write(metadata).getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(8 + meta.length + png.length).putInt(4).putInt(meta.length).put(meta).put(png);
        write(s, () -> s.session.getBasicRemote().sendBinary(frame.flip()));
        sendText(s, progressText);
      } else {
        sendText(s, progressText);
        ByteBuffer frame = ByteBuffer.allocate(8 + png.length).putInt(1).putInt(2).put(png);
        write(s, () -> s.session.getBasicRemote().sendBinary(frame.flip()));
      }
    }
  }

  void sendText(Socket s, String text) {
    write(s, () -> s.session.getBasicRemote().sendText(text));
  }

  /** Ends every connection without a close frame, as a dying network would. */
  void dropAll() {
    for (Socket s : new ArrayList<>(byClient.values())) {
      byClient.remove(s.clientId, s);
      abort(s.session);
    }
  }

  private List<Socket> targets(String clientId) {
    if (clientId == null) {
      return new ArrayList<>(byClient.values());
    }
    Socket s = byClient.get(clientId);
    return s == null ? List.of() : List.of(s);
  }

  private interface Send {
    void run() throws IOException;
  }

  private void write(Socket s, Send send) {
    if (faults.muted() || !s.session.isOpen()) {
      return;
    }
    synchronized (s) {
      try {
        send.run();
      } catch (IOException | IllegalStateException e) {
        // The peer went away mid-send; ComfyUI drops such messages too.
      }
    }
  }

  /**
   * Closes the TCP connection under the session without sending a close frame. Tomcat has no
   * public API for that, so this reaches its remote endpoint; if that fails, it falls back to a
   * normal close.
   */
  private static void abort(Session session) {
    try {
      Field f = session.getClass().getDeclaredField("wsRemoteEndpoint");
      f.setAccessible(true);
      Object remote = f.get(session);
      Method close = remote.getClass().getMethod("close");
      close.invoke(remote);
    } catch (ReflectiveOperationException | RuntimeException e) {
      try {
        session.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }
}
