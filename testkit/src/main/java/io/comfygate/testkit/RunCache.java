package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ComfyUI's default ("classic") output cache: a node whose class and inputs, recursively, equal a
 * node of the previous prompt is not run again. Only the nodes of the latest prompt are kept.
 * Written by the worker; {@link #clear()} may come from any thread.
 */
final class RunCache {
  /** Outputs by slot, and the UI output (null if the node has none). */
  record Entry(List<Object> outputs, ObjectNode ui) {}

  /** Cache keys of one prompt's nodes. */
  interface Signatures {
    String of(String nodeId);
  }

  private volatile Map<String, Entry> previous = new ConcurrentHashMap<>();
  private final Map<String, Entry> current = new ConcurrentHashMap<>();
  /**
   * The cache as the running prompt found it at its start. A clear() from another thread (a test
   * resetting the fake) must not pull cached inputs from under a prompt that is half-way through.
   */
  private volatile Map<String, Entry> runView = previous;
  private volatile boolean clearedDuringRun;

  Signatures signatures(ObjectNode prompt) {
    Map<String, String> memo = new HashMap<>();
    return new Signatures() {
      @Override
      public String of(String id) {
        String known = memo.get(id);
        if (known != null) {
          return known;
        }
        memo.put(id, "cycle:" + id);
        JsonNode node = prompt.path(id);
        String cls = node.path("class_type").asText();
        StringBuilder sig = new StringBuilder(cls).append('(');
        Map<String, JsonNode> sorted = new TreeMap<>();
        node.path("inputs").fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((name, v) -> sig.append(name).append('=')
            .append(ExecutionOrder.isLink(v) ? "<" + of(v.get(0).asText()) + "#" + v.get(1).asText() + ">" : v.toString())
            .append(';'));
        if ("SaveImageWebsocket".equals(cls)) {
          sig.append(UUID.randomUUID()); // its IS_CHANGED makes it run every time
        }
        String s = sig.append(')').toString();
        memo.put(id, s);
        return s;
      }
    };
  }

  /** Called by the worker as a prompt starts: its cache hits are decided against this view. */
  void beginRun() {
    clearedDuringRun = false;
    runView = previous;
  }

  boolean has(String sig) {
    return runView.containsKey(sig);
  }

  Entry get(String sig) {
    return runView.get(sig);
  }

  void keep(String sig, Entry e) {
    if (e != null) {
      current.put(sig, e);
    }
  }

  /** Makes this run's nodes the cache of the next run. */
  void endRun() {
    previous = clearedDuringRun ? new ConcurrentHashMap<>() : new ConcurrentHashMap<>(current);
    runView = previous;
    current.clear();
  }

  void clear() {
    clearedDuringRun = true;
    previous = new ConcurrentHashMap<>();
    current.clear();
  }
}
