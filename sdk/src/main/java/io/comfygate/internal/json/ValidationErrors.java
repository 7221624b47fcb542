package io.comfygate.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.NodeError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal, not API. Reads ComfyUI's {@code node_errors}: a map keyed by node id since 0.3.28,
 * a (normally empty) list before.
 */
public final class ValidationErrors {
  private ValidationErrors() {}

  public static Map<String, NodeError> nodeErrors(JsonNode nodeErrors) {
    Map<String, NodeError> out = new LinkedHashMap<>();
    if (nodeErrors == null || !nodeErrors.isObject()) {
      return out;
    }
    nodeErrors.fields().forEachRemaining(e -> out.put(e.getKey(), nodeError(e.getKey(), e.getValue())));
    return out;
  }

  private static NodeError nodeError(String nodeId, JsonNode n) {
    List<NodeError.Problem> problems = new ArrayList<>();
    for (JsonNode p : n.path("errors")) {
      problems.add(new NodeError.Problem(Json.text(p, "type"), Json.text(p, "message"), Json.text(p, "details"),
          Json.text(p.path("extra_info"), "input_name")));
    }
    return new NodeError(nodeId, Json.text(n, "class_type"), problems, Json.strings(n, "dependent_outputs"));
  }
}
