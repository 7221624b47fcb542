package io.comfygate.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.internal.json.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * A scripted ComfyUI stand-in on embedded Tomcat (real HTTP and WebSocket on loopback) whose
 * prompts finish only when a test says so, to drive completion races deterministically. Serves
 * just what the tracker uses: POST /prompt, GET /queue, GET /history/{id}, GET /ws.
 */
final class ScriptedComfy implements AutoCloseable {
  final Map<String, Session> sockets = new ConcurrentHashMap<>();
  final List<String> firstClientFrames = new CopyOnWriteArrayList<>();
  final Map<String, String> promptClient = new ConcurrentHashMap<>();
  final Set<String> queued = ConcurrentHashMap.newKeySet();
  final Map<String, String> history = new ConcurrentHashMap<>();
  private final Tomcat tomcat = new Tomcat();
  private final Path base;

  ScriptedComfy() throws Exception {
    base = Files.createTempDirectory("scripted-comfy");
    tomcat.setBaseDir(base.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context ctx = tomcat.addContext("", base.toString());
    Tomcat.addServlet(ctx, "api", new Api());
    ctx.addServletMappingDecoded("/", "api");
    ctx.addServletContainerInitializer(new WsSci(), null);
    ctx.addApplicationListener(WsRegistrar.class.getName());
    tomcat.start();
    ServerContainer container = (ServerContainer) ctx.getServletContext().getAttribute(ServerContainer.class.getName());
    container.addEndpoint(ServerEndpointConfig.Builder.create(Ws.class, "/ws")
        .configurator(new ServerEndpointConfig.Configurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> c) {
            return c.cast(new Ws());
          }
        }).build());
  }

  /** Placeholder listener so Tomcat initialises the WebSocket container before start completes. */
  public static final class WsRegistrar implements jakarta.servlet.ServletContextListener {}

  String baseUrl() {
    return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
  }

  /** Finishes a prompt the way ComfyUI does: history first, then executing{node:null} to its socket. */
  void finish(String promptId) {
    history.put(promptId, "{\"" + promptId + "\":{\"prompt\":[1,\"" + promptId + "\",{},{},[\"9\"]],"
        + "\"outputs\":{\"9\":{\"images\":[{\"filename\":\"out.png\",\"subfolder\":\"\",\"type\":\"output\"}]}},"
        + "\"status\":{\"status_str\":\"success\",\"completed\":true,\"messages\":[]}}}");
    queued.remove(promptId);
    send(promptClient.get(promptId), "{\"type\":\"executing\",\"data\":{\"node\":null,\"prompt_id\":\"" + promptId + "\"}}");
  }

  void send(String clientId, String text) {
    Session s = clientId == null ? null : sockets.get(clientId);
    if (s != null && s.isOpen()) {
      try {
        s.getBasicRemote().sendText(text);
      } catch (IOException e) {
        // Dropped on purpose, as ComfyUI drops messages for a broken socket.
      }
    }
  }

  void dropSockets() throws IOException {
    for (Session s : sockets.values()) {
      s.close();
    }
  }

  @Override
  public void close() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }

  final class Ws extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      String id = session.getRequestParameterMap().get("clientId").get(0);
      sockets.put(id, session);
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
        if (!session.getUserProperties().containsKey("seen")) {
          session.getUserProperties().put("seen", true);
          firstClientFrames.add(text);
        }
      });
      send(id, "{\"type\":\"status\",\"data\":{\"status\":{\"exec_info\":{\"queue_remaining\":0}},\"sid\":\"" + id + "\"}}");
    }

    @Override
    public void onClose(Session session, jakarta.websocket.CloseReason reason) {
      sockets.values().remove(session);
    }
  }

  final class Api extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      JsonNode body = Json.MAPPER.readTree(req.getInputStream());
      String id = body.path("prompt_id").asText();
      promptClient.put(id, body.path("client_id").asText());
      queued.add(id);
      write(resp, "{\"prompt_id\":\"" + id + "\",\"number\":1,\"node_errors\":{}}");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getRequestURI();
      if (path.equals("/queue")) {
        StringBuilder running = new StringBuilder();
        queued.forEach(id -> running.append(running.length() == 0 ? "" : ",").append("[1,\"").append(id).append("\",{},{},[]]"));
        write(resp, "{\"queue_running\":[" + running + "],\"queue_pending\":[]}");
      } else if (path.startsWith("/history/")) {
        write(resp, history.getOrDefault(path.substring("/history/".length()), "{}"));
      } else {
        resp.sendError(404);
      }
    }

    private void write(HttpServletResponse resp, String json) throws IOException {
      resp.setContentType("application/json");
      resp.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }
  }
}
