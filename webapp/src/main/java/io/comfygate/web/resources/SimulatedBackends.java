package io.comfygate.web.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.json.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which ComfyUI backends are the simulated one: FakeComfyUi labels its {@code /system_stats} with
 * {@code "system": {"comfygate_simulated": true}}. Each backend is asked once it has answered
 * (short timeouts, no threads of its own); the answer is kept for the life of the application.
 */
public final class SimulatedBackends {
  private static final int TIMEOUT_MS = 500;
  private static final ObjectMapper JSON = JsonMappers.newMapper();

  private final List<URI> servers;
  private final Map<URI, Boolean> known = new ConcurrentHashMap<>();

  public SimulatedBackends(List<URI> servers) {
    this.servers = List.copyOf(servers);
  }

  /** True if any backend that has answered says it is simulated. */
  public boolean any() {
    boolean simulated = false;
    for (URI server : servers) {
      Boolean answer = known.get(server);
      if (answer == null) {
        answer = ask(server);
        if (answer != null) {
          known.put(server, answer);
        }
      }
      simulated |= Boolean.TRUE.equals(answer);
    }
    return simulated;
  }

  /** The backend's label, or null if it did not answer. */
  private static Boolean ask(URI server) {
    String base = server.toString().endsWith("/") ? server.toString() : server + "/";
    HttpURLConnection http = null;
    try {
      http = (HttpURLConnection) URI.create(base + "system_stats").toURL().openConnection();
      http.setConnectTimeout(TIMEOUT_MS);
      http.setReadTimeout(TIMEOUT_MS);
      http.setRequestProperty("Accept", "application/json");
      if (http.getResponseCode() != 200) {
        return null;
      }
      try (InputStream in = http.getInputStream()) {
        JsonNode flag = JSON.readTree(in).path("system").path("comfygate_simulated");
        return flag.asBoolean(false);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    } finally {
      if (http != null) {
        http.disconnect();
      }
    }
  }
}
