package io.comfygate.internal.json;

import static io.comfygate.internal.json.Json.doubleOr;
import static io.comfygate.internal.json.Json.longOr;
import static io.comfygate.internal.json.Json.strings;
import static io.comfygate.internal.json.Json.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.ComfyProtocolException;
import io.comfygate.events.ComfyEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, not API. Turns one WebSocket text frame into a {@link ComfyEvent}. Stateless and
 * thread-safe. Unknown types become {@link ComfyEvent.Unknown}; missing fields become null or 0.
 */
public final class EventParser {
  private EventParser() {}

  /**
   * Parses one frame.
   *
   * @throws ComfyProtocolException if the text is not a JSON object with a string {@code type}
   */
  public static ComfyEvent parse(String frame) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(frame);
    } catch (JsonProcessingException e) {
      throw new ComfyProtocolException("WebSocket text frame is not JSON: " + abbreviate(frame), e);
    }
    if (root == null || !root.isObject() || !root.path("type").isTextual()) {
      throw new ComfyProtocolException("WebSocket frame has no string 'type': " + abbreviate(frame), null);
    }
    String type = root.get("type").asText();
    JsonNode d = root.path("data");
    switch (type) {
      case "status":
        return new ComfyEvent.Status(
            (int) longOr(d.path("status").path("exec_info"), "queue_remaining", 0), text(d, "sid"));
      case "execution_start":
        return new ComfyEvent.ExecutionStart(text(d, "prompt_id"), longOr(d, "timestamp", 0));
      case "execution_cached":
        return new ComfyEvent.ExecutionCached(text(d, "prompt_id"), strings(d, "nodes"), longOr(d, "timestamp", 0));
      case "executing":
        return new ComfyEvent.Executing(text(d, "node"), text(d, "display_node"), text(d, "prompt_id"));
      case "progress":
        return new ComfyEvent.Progress(
            doubleOr(d, "value", 0), doubleOr(d, "max", 0), text(d, "prompt_id"), text(d, "node"));
      case "progress_state":
        return new ComfyEvent.ProgressState(text(d, "prompt_id"), nodeStates(d.path("nodes")));
      case "executed":
        return executed(d);
      case "execution_success":
        return new ComfyEvent.ExecutionSuccess(text(d, "prompt_id"), longOr(d, "timestamp", 0));
      case "execution_error":
        return new ComfyEvent.ExecutionError(text(d, "prompt_id"), text(d, "node_id"), text(d, "node_type"),
            text(d, "exception_type"), text(d, "exception_message"), strings(d, "traceback"),
            d.get("current_inputs"), longOr(d, "timestamp", 0));
      case "execution_interrupted":
        return new ComfyEvent.ExecutionInterrupted(text(d, "prompt_id"), text(d, "node_id"),
            text(d, "node_type"), strings(d, "executed"), longOr(d, "timestamp", 0));
      case "feature_flags":
        return new ComfyEvent.FeatureFlags(
            d.path("supports_preview_metadata").asBoolean(false), longOr(d, "max_upload_size", 0), d);
      default:
        return new ComfyEvent.Unknown(type, root);
    }
  }

  private static Map<String, ComfyEvent.NodeState> nodeStates(JsonNode nodes) {
    Map<String, ComfyEvent.NodeState> out = new LinkedHashMap<>();
    nodes.fields().forEachRemaining(e -> {
      JsonNode n = e.getValue();
      out.put(e.getKey(), new ComfyEvent.NodeState(Json.textOr(n, "node_id", e.getKey()),
          doubleOr(n, "value", 0), doubleOr(n, "max", 0), text(n, "state"), text(n, "display_node_id")));
    });
    return out;
  }

  private static ComfyEvent.Executed executed(JsonNode d) {
    JsonNode output = d.get("output");
    if (output != null && output.isNull()) {
      output = null;
    }
    return new ComfyEvent.Executed(text(d, "node"), text(d, "display_node"), output, images(output),
        text(d, "prompt_id"));
  }

  /** The {@code images} list of a node output ({@code executed.output} or a history output). */
  public static List<ComfyEvent.ImageRef> images(JsonNode output) {
    List<ComfyEvent.ImageRef> out = new ArrayList<>();
    JsonNode images = output == null ? null : output.get("images");
    if (images != null && images.isArray()) {
      for (JsonNode i : images) {
        if (i.isObject() && i.hasNonNull("filename")) {
          out.add(new ComfyEvent.ImageRef(text(i, "filename"), Json.textOr(i, "subfolder", ""),
              Json.textOr(i, "type", "output")));
        }
      }
    }
    return out;
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
