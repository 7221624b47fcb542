package io.comfygate.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.ComfyProtocolException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.internal.json.EventParser;
import io.comfygate.internal.json.Json;
import io.comfygate.internal.json.ValidationErrors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns ComfyUI's HTTP bodies into value types. Stateless; tolerant of missing fields. */
final class ResponseParsers {
  private ResponseParsers() {}

  static PromptAccepted promptAccepted(JsonNode body) {
    String id = Json.text(body, "prompt_id");
    if (id == null) {
      throw new ComfyProtocolException("POST /prompt answer has no prompt_id: " + body, null);
    }
    return new PromptAccepted(id, Json.doubleOr(body, "number", 0), ValidationErrors.nodeErrors(body.get("node_errors")));
  }

  static QueueSnapshot queue(JsonNode body) {
    return new QueueSnapshot(queueItems(Json.path(body, "queue_running")), queueItems(Json.path(body, "queue_pending")));
  }

  private static List<QueueSnapshot.Item> queueItems(JsonNode list) {
    List<QueueSnapshot.Item> out = new ArrayList<>();
    for (JsonNode item : list) {
      // [number, prompt_id, prompt, extra_data, outputs_to_execute]
      if (item.isArray() && item.size() >= 2) {
        out.add(new QueueSnapshot.Item(item.get(1).asText(), item.get(0).asDouble(),
            Json.text(item.path(3), "client_id")));
      }
    }
    out.sort(Comparator.comparingDouble(QueueSnapshot.Item::number).thenComparing(QueueSnapshot.Item::promptId));
    return out;
  }

  /** {@code {id: entry, ...}} → entries in server order (oldest first). */
  static Map<String, HistoryEntry> historyMap(JsonNode body) {
    Map<String, HistoryEntry> out = new LinkedHashMap<>();
    if (body != null && body.isObject()) {
      body.fields().forEachRemaining(e -> out.put(e.getKey(), historyEntry(e.getKey(), e.getValue())));
    }
    return out;
  }

  static HistoryEntry historyEntry(String promptId, JsonNode entry) {
    List<OutputFile> outputs = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> nodes = Json.path(entry, "outputs").fields();
    while (nodes.hasNext()) {
      Map.Entry<String, JsonNode> node = nodes.next();
      EventParser.images(node.getValue()).forEach(i ->
          outputs.add(new OutputFile(node.getKey(), i.filename(), i.subfolder(), i.type())));
    }
    JsonNode status = Json.path(entry, "status");
    // 'messages' was briefly called 'notes' (early 2024).
    JsonNode rawMessages = status.has("messages") ? status.get("messages") : status.path("notes");
    List<ComfyEvent> messages = new ArrayList<>();
    for (JsonNode m : rawMessages) {
      if (m.isArray() && m.size() == 2 && m.get(0).isTextual()) {
        ObjectNode frame = Json.MAPPER.createObjectNode();
        frame.put("type", m.get(0).asText());
        frame.set("data", m.get(1));
        messages.add(EventParser.parse(Json.write(frame)));
      }
    }
    return new HistoryEntry(promptId, status(status, messages), outputs, messages);
  }

  private static HistoryEntry.Status status(JsonNode status, List<ComfyEvent> messages) {
    String str = Json.text(status, "status_str");
    if (str == null) {
      return HistoryEntry.Status.UNKNOWN;
    }
    if ("success".equals(str)) {
      return HistoryEntry.Status.SUCCESS;
    }
    // Error and interrupt share status_str "error"; the messages tell them apart.
    boolean interrupted = messages.stream().anyMatch(ComfyEvent.ExecutionInterrupted.class::isInstance);
    return interrupted ? HistoryEntry.Status.INTERRUPTED : HistoryEntry.Status.ERROR;
  }

  static UploadedImage uploaded(JsonNode body) {
    return new UploadedImage(Json.textOr(body, "name", ""), Json.textOr(body, "subfolder", ""),
        Json.textOr(body, "type", "input"));
  }

  static SystemStats systemStats(JsonNode body) {
    JsonNode system = Json.path(body, "system");
    List<SystemStats.Device> devices = new ArrayList<>();
    for (JsonNode d : Json.path(body, "devices")) {
      devices.add(new SystemStats.Device(Json.textOr(d, "name", ""), Json.textOr(d, "type", ""),
          Json.longOr(d, "vram_total", 0), Json.longOr(d, "vram_free", 0)));
    }
    return new SystemStats(Json.textOr(system, "comfyui_version", ""), Json.textOr(system, "os", ""),
        Json.longOr(system, "ram_total", 0), Json.longOr(system, "ram_free", 0), devices, body);
  }

  static Features features(JsonNode body) {
    return new Features(Json.path(body, "supports_preview_metadata").asBoolean(false),
        Json.longOr(body, "max_upload_size", 0), body);
  }
}
