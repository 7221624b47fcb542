package io.comfygate.web.live;

import io.comfygate.web.security.Identity;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live updates endpoint, {@code /api/v1/live} under the application: one instance per connection,
 * made by {@link LiveConfigurator} (which authenticated the handshake). A connection without an
 * identity is closed at once with 1008 (policy violation). Messages from the browser are ignored.
 */
public final class LiveEndpoint extends Endpoint {
  /** Where the endpoint is mounted, relative to the context path. */
  public static final String PATH = io.comfygate.web.security.ServletAccess.LIVE.path();
  private static final Logger LOG = LoggerFactory.getLogger(LiveEndpoint.class);
  // Tomcat's bound on a blocking send (the close frame); other containers ignore the property.
  private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

  private final LiveHub hub;
  private volatile LiveHub.Client client;

  LiveEndpoint(LiveHub hub) {
    this.hub = hub;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, 2_000L);
    Object identity = config.getUserProperties().get(LiveConfigurator.IDENTITY);
    if (!(identity instanceof Identity who)) {
      new SessionTransport(session).close(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(),
          "authentication required: session, API key (Bearer or access_token) or Basic");
      return;
    }
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) ignored -> { });
    client = hub.open(who, new SessionTransport(session));
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    LiveHub.Client c = client;
    if (c != null) {
      hub.remove(c);
    }
  }

  @Override
  public void onError(Session session, Throwable failure) {
    LOG.debug("live: session {} failed: {}", session.getId(), failure.toString());
    onClose(session, null);
  }

  /** Sends through the session's asynchronous remote: never waits for the network. */
  private record SessionTransport(Session session) implements Outbox.Transport {
    @Override
    public void send(String text, Consumer<Throwable> done) {
      session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
    }

    @Override
    public void close(int code, String reason) {
      try {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
      } catch (IOException | RuntimeException e) {
        LOG.debug("live: closing session {}: {}", session.getId(), e.toString());
      }
    }
  }
}
