package io.comfygate.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** When each prompt ran on a ComfyUI server, from its own {@code /history} status messages. */
final class ComfyHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ComfyHistory() {}

  /** prompt_id → {execution_start, execution_success or _error or _interrupted} in epoch ms. */
  static Map<String, long[]> executions(HttpClient http, URI server) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.resolve("/history?max_items=1000000"))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /history at " + server + " answered " + r.statusCode());
    }
    Map<String, long[]> out = new HashMap<>();
    JsonNode history = JSON.readTree(r.body());
    history.fields().forEachRemaining(e -> {
      long start = -1;
      long end = -1;
      for (JsonNode message : e.getValue().path("status").path("messages")) {
        String type = message.path(0).asText();
        long at = message.path(1).path("timestamp").asLong(-1);
        if (type.equals("execution_start")) {
          start = at;
        } else if (type.startsWith("execution_") && !type.equals("execution_cached")) {
          end = at;
        }
      }
      if (start >= 0 && end >= 0) {
        out.put(e.getKey(), new long[] {start, end});
      }
    });
    return out;
  }
}
