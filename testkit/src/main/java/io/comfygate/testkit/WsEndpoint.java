package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.util.List;
import java.util.UUID;

/** One {@code /ws} connection; Tomcat makes an instance per connection through the configurator. */
final class WsEndpoint extends Endpoint {
  private static final String SOCKET = "comfygate.socket";

  private final FakeServerState state;

  WsEndpoint(FakeServerState state) {
    this.state = state;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    session.getUserProperties().put("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", 5_000L);
    List<String> ids = session.getRequestParameterMap().get("clientId");
    String clientId = ids == null || ids.isEmpty() || ids.get(0).isEmpty()
        ? UUID.randomUUID().toString().replace("-", "") : ids.get(0);
    SocketHub.Socket socket = new SocketHub.Socket(session, clientId);
    session.getUserProperties().put(SOCKET, socket);
    state.hub().register(socket);

    ObjectNode data = Json.object();
    data.set("status", state.statusNode());
    data.put("sid", clientId);
    state.hub().sendText(socket, Json.event("status", data));
    String node = state.worker().executingNodeFor(clientId);
    if (node != null) {
      ObjectNode executing = Json.object();
      executing.put("node", node);
      state.hub().sendText(socket, Json.event("executing", executing));
    }
    session.addMessageHandler(new MessageHandler.Whole<String>() {
      @Override
      public void onMessage(String text) {
        onText(socket, text);
      }
    });
  }

  /** Only the first client message may be feature_flags; everything else is ignored. */
  private void onText(SocketHub.Socket socket, String text) {
    boolean first = !socket.firstMessageSeen;
    socket.firstMessageSeen = true;
    if (!first) {
      return;
    }
    JsonNode msg;
    try {
      msg = Json.parse(text);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (!"feature_flags".equals(msg.path("type").asText())) {
      return;
    }
    socket.previewMetadata = msg.path("data").path("supports_preview_metadata").asBoolean(false);
    ObjectNode reply = Json.object();
    reply.put("supports_preview_metadata", true);
    reply.put("max_upload_size", state.config().maxUploadSize());
    state.hub().sendText(socket, Json.event("feature_flags", reply));
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    Object s = session.getUserProperties().get(SOCKET);
    if (s != null) {
      state.hub().unregister((SocketHub.Socket) s);
    }
  }

  @Override
  public void onError(Session session, Throwable error) {
    onClose(session, null);
  }
}
