package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The order in which ComfyUI's ExecutionList runs a graph: nodes are staged depth-first from each
 * output with a stack, cached inputs are not staged, and among ready nodes an output node (or a node
 * one or two links before one) goes first. Reproducing this keeps the fake's event order equal to
 * the recorded one. Not thread-safe; one per run.
 */
final class ExecutionOrder {
  private final ObjectNode prompt;
  private final Predicate<String> isOutputNode;
  private final Map<String, Integer> blockCount = new LinkedHashMap<>(); // also the pending set, in staging order
  private final Map<String, Set<String>> blocking = new HashMap<>();

  ExecutionOrder(ObjectNode prompt, List<String> outputs, Predicate<String> isOutputNode, Predicate<String> cached) {
    this.prompt = prompt;
    this.isOutputNode = isOutputNode;
    for (String output : outputs) {
      stage(output, cached);
    }
  }

  private void stage(String output, Predicate<String> cached) {
    Deque<String> stack = new ArrayDeque<>();
    stack.push(output);
    List<String[]> links = new ArrayList<>();
    while (!stack.isEmpty()) {
      String id = stack.pop();
      if (blockCount.containsKey(id)) {
        continue;
      }
      blockCount.put(id, 0);
      blocking.putIfAbsent(id, new LinkedHashSet<>());
      for (String from : linkedInputs(id)) {
        if (!cached.test(from)) {
          if (!blockCount.containsKey(from)) {
            stack.push(from);
          }
          links.add(new String[] {from, id});
        }
      }
    }
    for (String[] link : links) {
      if (blocking.computeIfAbsent(link[0], k -> new LinkedHashSet<>()).add(link[1])) {
        blockCount.merge(link[1], 1, Integer::sum);
      }
    }
  }

  /** Node ids feeding this node through links, in input order. */
  List<String> linkedInputs(String id) {
    List<String> out = new ArrayList<>();
    prompt.get(id).path("inputs").forEach(v -> {
      if (v.isArray() && v.size() == 2) {
        out.add(v.get(0).asText());
      }
    });
    return out;
  }

  /** The next node to run, or null when every staged node has run. */
  String next() {
    List<String> ready = new ArrayList<>();
    blockCount.forEach((id, count) -> {
      if (count == 0) {
        ready.add(id);
      }
    });
    if (ready.isEmpty()) {
      return null;
    }
    for (String id : ready) {
      if (isOutputNode.test(id)) {
        return id;
      }
    }
    for (String id : ready) {
      for (String to : blocking.get(id)) {
        if (isOutputNode.test(to)) {
          return id;
        }
      }
    }
    for (String id : ready) {
      for (String to : blocking.get(id)) {
        for (String to2 : blocking.get(to)) {
          if (isOutputNode.test(to2)) {
            return id;
          }
        }
      }
    }
    return ready.get(0);
  }

  /** Marks a node as finished, unblocking the nodes it feeds. */
  void done(String id) {
    blockCount.remove(id);
    for (String to : blocking.get(id)) {
      blockCount.computeIfPresent(to, (k, c) -> c - 1);
    }
  }

  static boolean isLink(JsonNode v) {
    return v.isArray() && v.size() == 2;
  }
}
