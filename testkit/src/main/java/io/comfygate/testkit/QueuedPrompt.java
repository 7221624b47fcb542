package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One accepted prompt. Ordered like ComfyUI's heap: lower priority first, ties by prompt id.
 *
 * @param number the queue number as the client will see it (int if server-assigned, float if sent)
 */
record QueuedPrompt(JsonNode number, double priority, String promptId, ObjectNode prompt,
                    ObjectNode extraData, List<String> outputs) implements Comparable<QueuedPrompt> {

  /** The prompt's client id, or null when it was sent without one. */
  String clientId() {
    JsonNode c = extraData.get("client_id");
    return c == null || c.isNull() ? null : c.asText();
  }

  /** {@code [number, prompt_id, prompt, extra_data, outputs_to_execute]}. */
  ArrayNode toItem() {
    ArrayNode item = Json.array();
    item.add(number);
    item.add(promptId);
    item.add(prompt);
    item.add(extraData);
    ArrayNode outs = item.addArray();
    outputs.forEach(outs::add);
    return item;
  }

  @Override
  public int compareTo(QueuedPrompt o) {
    int c = Double.compare(priority, o.priority);
    return c != 0 ? c : promptId.compareTo(o.promptId);
  }
}
