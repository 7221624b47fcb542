package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Executes one prompt on the worker thread, sending the real server's events in its order and
 * building the history entry. Not thread-safe except {@link #executingNode()}.
 */
final class PromptRun {
  /** Thrown when a restart abandoned this run: nothing more is sent or written. */
  static final class Abandoned extends Exception {
    Abandoned() {
      super(null, null, false, false);
    }
  }

  /** Ends the run early with execution_error or execution_interrupted. */
  static final class Stop extends Exception {
    final String type;
    final ObjectNode data;

    Stop(String type, ObjectNode data) {
      super(null, null, false, false);
      this.type = type;
      this.data = data;
    }
  }

  private final FakeServerState st;
  private final QueuedPrompt p;
  private final long generation;
  private final AtomicBoolean interrupt;
  private final RunCache cache;
  private final String clientId;
  private final ObjectNode progressNodes = Json.object();
  private final ArrayNode messages = Json.array();
  private final ObjectNode outputs = Json.object();
  private final ObjectNode meta = Json.object();
  private final List<String> executed = new ArrayList<>();
  private final Map<String, List<Object>> values = new HashMap<>();
  private volatile String executingNode;
  private RunCache.Signatures sigs;

  PromptRun(FakeServerState st, QueuedPrompt p, long generation, AtomicBoolean interrupt, RunCache cache) {
    this.st = st;
    this.p = p;
    this.generation = generation;
    this.interrupt = interrupt;
    this.cache = cache;
    this.clientId = p.clientId();
  }

  String clientId() {
    return clientId;
  }

  /** The node now executing (kept until the run ends, like ComfyUI's last_node_id), or null. */
  String executingNode() {
    return executingNode;
  }

  /** Runs the prompt; returns its history entry. */
  ObjectNode execute() throws InterruptedException, Abandoned {
    ObjectNode prompt = p.prompt();
    sigs = cache.signatures(prompt);
    List<String> cachedNodes = new ArrayList<>();
    prompt.fieldNames().forEachRemaining(id -> {
      if (cache.has(sigs.of(id))) {
        cachedNodes.add(id);
      }
    });
    ExecutionOrder order = new ExecutionOrder(prompt, p.outputs(),
        id -> st.catalog().isOutput(classOf(id)), id -> cache.has(sigs.of(id)));

    message("execution_start", base(), false);
    ObjectNode cachedMsg = Json.object();
    cachedNodes.forEach(cachedMsg.putArray("nodes")::add);
    message("execution_cached", withIdAndTime(cachedMsg), false);
    boolean success;
    try {
      for (String id = order.next(); id != null; id = order.next()) {
        runNode(id);
        order.done(id);
      }
      message("execution_success", base(), false);
      success = true;
    } catch (Stop stop) {
      message(stop.type, stop.data, "execution_interrupted".equals(stop.type));
      success = false;
    }
    return historyEntry(success);
  }

  private void runNode(String id) throws InterruptedException, Abandoned, Stop {
    String cls = classOf(id);
    RunCache.Entry hit = cache.get(sigs.of(id));
    if (hit != null) {
      // Only output nodes are staged when cached; they re-report their old files.
      values.put(id, hit.outputs());
      cache.keep(sigs.of(id), hit);
      sendExecuted(id, hit.ui(), true);
      progress(id, 1, 1, "finished");
      return;
    }
    executingNode = id;
    progress(id, 0.0, 1.0, "running");
    toClient("executing", node(id, Json.object()));
    checkInterrupt(id);
    String failure = st.faults().failureFor(id);
    if (failure != null) {
      throw error(id, "RuntimeError", failure);
    }
    Map<String, Object> in = resolveInputs(id);
    NodeOutputs out = new NodeOutputs(this, id, cls, in);
    try {
      out.run();
    } catch (NodeFailure f) {
      throw error(id, f.exceptionType(), f.getMessage());
    }
    values.put(id, out.values());
    executed.add(id);
    cache.keep(sigs.of(id), new RunCache.Entry(out.values(), out.ui()));
    if (out.ui() != null) {
      sendExecuted(id, out.ui(), false);
    }
    if (out.steps() > 0) {
      progress(id, out.steps(), out.steps(), "finished");
    } else {
      progress(id, 1.0, 1.0, "finished");
    }
  }

  // --- used by NodeOutputs while a node runs ---

  /** One progress step: checks interrupt first, as ComfyUI's progress hook does. */
  void step(String id, int value, int max, byte[] previewPng) throws InterruptedException, Abandoned, Stop {
    checkInterrupt(id);
    progress(id, value, max, "running");
    ObjectNode data = Json.object();
    data.put("value", value);
    data.put("max", max);
    data.put("prompt_id", p.promptId());
    data.put("node", id);
    String text = Json.event("progress", data);
    checkpoint();
    if (previewPng == null) {
      st.hub().send(clientId, text);
    } else {
      ObjectNode metadata = Json.object();
      metadata.put("node_id", id);
      metadata.put("prompt_id", p.promptId());
      metadata.put("display_node_id", id);
      metadata.putNull("parent_node_id");
      metadata.put("real_node_id", id);
      metadata.put("image_type", "image/png");
      st.hub().progressWithPreview(clientId, text, previewPng, metadata);
    }
  }

  FakeServerState state() {
    return st;
  }

  String promptId() {
    return p.promptId();
  }

  // --- events ---

  private void sendExecuted(String id, ObjectNode ui, boolean fromCache) throws InterruptedException, Abandoned {
    ObjectNode data = Json.object();
    data.put("node", id);
    data.put("display_node", id);
    data.set("output", ui); // null for a cached output node without UI
    data.put("prompt_id", p.promptId());
    toClient("executed", data);
    if (ui != null) {
      outputs.set(id, ui);
      ObjectNode m = meta.putObject(id);
      m.put("node_id", id);
      m.put("display_node", id);
      m.putNull("parent_node");
      m.put("real_node_id", id);
    }
  }

  private void progress(String id, Number value, Number max, String state) throws InterruptedException, Abandoned {
    ObjectNode n = progressNodes.putObject(id);
    n.putPOJO("value", value);
    n.putPOJO("max", max);
    n.put("state", state);
    n.put("node_id", id);
    n.put("prompt_id", p.promptId());
    n.put("display_node_id", id);
    n.putNull("parent_node_id");
    n.put("real_node_id", id);
    ObjectNode data = Json.object();
    data.put("prompt_id", p.promptId());
    data.set("nodes", progressNodes.deepCopy());
    checkpoint();
    st.hub().send(clientId, Json.event("progress_state", data));
  }

  /** execution_* messages: recorded for history, sent to the client (or all, for interrupts). */
  private void message(String type, ObjectNode data, boolean broadcast) throws InterruptedException, Abandoned {
    messages.addArray().add(type).add(data);
    if (clientId != null || broadcast) {
      checkpoint();
      st.hub().send(clientId, Json.event(type, data));
    }
  }

  private void toClient(String type, ObjectNode data) throws InterruptedException, Abandoned {
    if (clientId != null) {
      checkpoint();
      st.hub().send(clientId, Json.event(type, data));
    }
  }

  /** Freezes while hung and gives up when a restart wiped the queue. */
  void checkpoint() throws InterruptedException, Abandoned {
    while (st.faults().waitWhileHung(50)) {
      if (st.queue().generation() != generation) {
        throw new Abandoned();
      }
    }
    if (st.queue().generation() != generation) {
      throw new Abandoned();
    }
  }

  private void checkInterrupt(String id) throws Stop {
    if (interrupt.getAndSet(false)) {
      ObjectNode data = failureHead(id);
      data.put("timestamp", System.currentTimeMillis());
      throw new Stop("execution_interrupted", data);
    }
  }

  private Stop error(String id, String exceptionType, String message) {
    ObjectNode data = failureHead(id);
    data.put("exception_message", message);
    data.put("exception_type", exceptionType);
    data.putArray("traceback").add("  File \"execution.py\", line 496, in execute\n    (simulated by FakeComfyUi)\n");
    ObjectNode current = data.putObject("current_inputs");
    p.prompt().get(id).path("inputs").fields().forEachRemaining(e ->
        current.putArray(e.getKey()).add(ExecutionOrder.isLink(e.getValue()) ? Json.MAPPER.getNodeFactory().textNode("tensor(...)") : e.getValue()));
    // ComfyUI lists every node id its output cache knows for this prompt, run or not.
    ArrayNode currentOutputs = data.putArray("current_outputs");
    p.prompt().fieldNames().forEachRemaining(currentOutputs::add);
    data.put("timestamp", System.currentTimeMillis());
    return new Stop("execution_error", data);
  }

  /** {@code prompt_id, node_id, node_type, executed}: the common head of error and interrupt data. */
  private ObjectNode failureHead(String id) {
    ObjectNode data = Json.object();
    data.put("prompt_id", p.promptId());
    data.put("node_id", id);
    data.put("node_type", classOf(id));
    ArrayNode done = data.putArray("executed");
    executed.forEach(done::add);
    return data;
  }

  private ObjectNode historyEntry(boolean success) {
    ObjectNode entry = Json.object();
    ArrayNode item = p.toItem();
    ObjectNode extra = ((ObjectNode) item.get(3)).deepCopy();
    extra.remove(List.of("auth_token_comfy_org", "api_key_comfy_org"));
    item.set(3, extra);
    entry.set("prompt", item);
    entry.set("outputs", outputs);
    ObjectNode status = entry.putObject("status");
    status.put("status_str", success ? "success" : "error");
    status.put("completed", success);
    status.set("messages", messages);
    entry.set("meta", meta);
    return entry;
  }

  private Map<String, Object> resolveInputs(String id) {
    Map<String, Object> in = new HashMap<>();
    p.prompt().get(id).path("inputs").fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (ExecutionOrder.isLink(v)) {
        String from = v.get(0).asText();
        List<Object> src = values.get(from);
        if (src == null) { // a cached input: its outputs come from the previous run
          RunCache.Entry hit = cache.get(sigs.of(from));
          cache.keep(sigs.of(from), hit);
          src = hit.outputs();
        }
        in.put(e.getKey(), src.get(v.get(1).asInt()));
      } else {
        in.put(e.getKey(), v.isNumber() ? v.numberValue() : v.isTextual() ? v.asText() : v);
      }
    });
    return in;
  }

  private String classOf(String id) {
    return p.prompt().get(id).get("class_type").asText();
  }

  private ObjectNode base() {
    ObjectNode d = Json.object();
    d.put("prompt_id", p.promptId());
    d.put("timestamp", System.currentTimeMillis());
    return d;
  }

  private ObjectNode withIdAndTime(ObjectNode d) {
    d.put("prompt_id", p.promptId());
    d.put("timestamp", System.currentTimeMillis());
    return d;
  }

  private ObjectNode node(String id, ObjectNode d) {
    d.put("node", id);
    d.put("display_node", id);
    d.put("prompt_id", p.promptId());
    return d;
  }
}
