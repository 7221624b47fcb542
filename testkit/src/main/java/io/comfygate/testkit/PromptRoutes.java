package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** /prompt, /queue, /interrupt, /free and /history, as server.py answers them. */
final class PromptRoutes {
  private final FakeServerState st;

  PromptRoutes(FakeServerState st) {
    this.st = st;
  }

  void getPrompt(Exchange ex) throws IOException {
    ObjectNode out = Json.object();
    out.set("exec_info", st.statusNode().get("exec_info"));
    ex.json(200, out);
  }

  void postPrompt(Exchange ex) throws IOException {
    JsonNode body;
    try {
      body = Json.parse(ex.bodyText());
    } catch (IllegalArgumentException e) {
      ex.serverError();
      return;
    }
    double priority;
    JsonNode number;
    if (body.has("number")) {
      priority = body.get("number").asDouble();
      number = DoubleNode.valueOf(priority);
    } else {
      long n = st.queue().nextNumber();
      priority = body.path("front").asBoolean(false) ? -n : n;
      number = LongNode.valueOf((long) priority);
    }
    if (!body.has("prompt")) {
      ObjectNode out = Json.object();
      out.set("error", PromptValidator.error("no_prompt", "No prompt provided", "No prompt provided"));
      out.putObject("node_errors");
      ex.json(400, out);
      return;
    }
    JsonNode prompt = body.get("prompt");
    JsonNode pid = body.get("prompt_id");
    String promptId = pid == null || pid.isNull() ? UUID.randomUUID().toString() : Py.str(pid);
    PromptValidator.Result result;
    try {
      result = st.validator().validate(prompt, targets(body.get("partial_execution_targets")));
    } catch (IllegalArgumentException e) {
      ex.serverError();
      return;
    }
    if (!result.ok()) {
      ObjectNode out = Json.object();
      out.set("error", result.error());
      out.set("node_errors", result.nodeErrors());
      ex.json(400, out);
      return;
    }
    ObjectNode extra = body.path("extra_data").isObject() ? (ObjectNode) body.get("extra_data").deepCopy() : Json.object();
    if (body.has("client_id")) {
      extra.set("client_id", body.get("client_id"));
    }
    st.enqueue(new QueuedPrompt(number, priority, promptId, (ObjectNode) prompt, extra, result.outputs()));
    ObjectNode out = Json.object();
    out.put("prompt_id", promptId);
    out.set("number", number);
    out.set("node_errors", result.nodeErrors());
    ex.json(200, out);
  }

  void getQueue(Exchange ex) throws IOException {
    ObjectNode out = Json.object();
    ArrayNode running = out.putArray("queue_running");
    QueuedPrompt r = st.queue().running();
    if (r != null) {
      running.add(r.toItem());
    }
    ArrayNode pending = out.putArray("queue_pending");
    st.queue().pending().forEach(p -> pending.add(p.toItem()));
    ex.json(200, out);
  }

  void postQueue(Exchange ex) throws IOException {
    JsonNode body = parseOrNull(ex);
    if (body == null) {
      ex.serverError();
      return;
    }
    if (body.path("clear").asBoolean(false)) {
      st.queue().clearPending();
      st.broadcastStatus();
    }
    if (body.has("delete")) {
      st.queue().deletePending(ids(body.get("delete")));
      st.broadcastStatus();
    }
    ex.empty(200);
  }

  void postInterrupt(Exchange ex) {
    JsonNode body = parseOrNull(ex);
    JsonNode pid = body == null ? null : body.get("prompt_id");
    st.worker().interrupt(pid == null || pid.isNull() ? null : pid.asText());
    ex.empty(200);
  }

  void postFree(Exchange ex) {
    ex.empty(200);
  }

  void getHistory(Exchange ex) throws IOException {
    Integer maxItems;
    int offset;
    try {
      String m = ex.param("max_items");
      String o = ex.param("offset");
      maxItems = m == null ? null : Integer.valueOf(m.trim());
      offset = o == null ? -1 : Integer.parseInt(o.trim());
    } catch (NumberFormatException e) {
      ex.serverError();
      return;
    }
    Map<String, ObjectNode> history = st.queue().history();
    if (offset < 0 && maxItems != null) {
      offset = history.size() - maxItems;
    }
    ObjectNode out = Json.object();
    int i = 0;
    for (Map.Entry<String, ObjectNode> e : history.entrySet()) {
      if (i++ >= offset) {
        out.set(e.getKey(), e.getValue());
        if (maxItems != null && out.size() >= maxItems) {
          break;
        }
      }
    }
    ex.json(200, out);
  }

  void getHistoryItem(Exchange ex, String promptId) throws IOException {
    ObjectNode out = Json.object();
    ObjectNode entry = st.queue().history().get(promptId);
    if (entry != null) {
      out.set(promptId, entry);
    }
    ex.json(200, out);
  }

  void postHistory(Exchange ex) throws IOException {
    JsonNode body = parseOrNull(ex);
    if (body == null) {
      ex.serverError();
      return;
    }
    if (body.path("clear").asBoolean(false)) {
      st.queue().clearHistory();
    }
    if (body.has("delete")) {
      st.queue().deleteHistory(ids(body.get("delete")));
    }
    ex.empty(200);
  }

  private static JsonNode parseOrNull(Exchange ex) {
    try {
      return Json.parse(ex.bodyText());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static List<String> ids(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Set<String> targets(JsonNode list) {
    if (list == null || !list.isArray()) {
      return null;
    }
    Set<String> out = new HashSet<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }
}
