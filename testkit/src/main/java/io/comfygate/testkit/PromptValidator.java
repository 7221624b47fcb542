package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Validates an API-format prompt the way ComfyUI 0.3.64's {@code validate_prompt} does, producing
 * the same error shapes. Converts literal INT/FLOAT/STRING values in place, as the real server does,
 * so the queue and history hold converted values. Stateless apart from its collaborators.
 */
final class PromptValidator {

  /** Outcome: {@code error} is null when at least one output is valid. */
  record Result(ObjectNode error, ObjectNode nodeErrors, List<String> outputs) {
    boolean ok() {
      return error == null;
    }
  }

  private final NodeCatalog catalog;
  private final Predicate<String> inputFileExists;

  PromptValidator(NodeCatalog catalog, Predicate<String> inputFileExists) {
    this.catalog = catalog;
    this.inputFileExists = inputFileExists;
  }

  /**
   * @throws IllegalArgumentException when {@code prompt} is not an object (the real server then
   *     answers its plain-text 500)
   */
  Result validate(JsonNode prompt, Set<String> partialTargets) {
    if (!prompt.isObject()) {
      throw new IllegalArgumentException("prompt is not an object");
    }
    List<String> outputs = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = prompt.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode classType = e.getValue().get("class_type");
      if (classType == null) {
        return invalidPrompt("Cannot execute because a node is missing the class_type property.", e.getKey());
      }
      if (!catalog.knows(classType.asText())) {
        return invalidPrompt("Cannot execute because node " + classType.asText() + " does not exist.", e.getKey());
      }
      if (catalog.isOutput(classType.asText()) && (partialTargets == null || partialTargets.contains(e.getKey()))) {
        outputs.add(e.getKey());
      }
    }
    if (outputs.isEmpty()) {
      return new Result(error("prompt_no_outputs", "Prompt has no outputs", ""), Json.object(), List.of());
    }
    // The real server iterates a Python set; reverse insertion order reproduces the recorded runs.
    Collections.reverse(outputs);
    NodeChecker checker = new NodeChecker((ObjectNode) prompt);
    List<String> good = new ArrayList<>();
    ObjectNode nodeErrors = Json.object();
    List<String> ownErrors = new ArrayList<>();
    for (String o : outputs) {
      if (checker.check(o)) {
        good.add(o);
        continue;
      }
      checker.errorsOf(o).forEach(err -> ownErrors.add(err.get("message").asText() + ": " + err.get("details").asText()));
      checker.failures().forEach((nodeId, errors) -> {
        ObjectNode entry = (ObjectNode) nodeErrors.get(nodeId);
        if (entry == null) {
          entry = nodeErrors.putObject(nodeId);
          entry.set("errors", errors);
          entry.putArray("dependent_outputs");
          entry.put("class_type", prompt.get(nodeId).get("class_type").asText());
        }
        ((ArrayNode) entry.get("dependent_outputs")).add(o);
      });
    }
    if (good.isEmpty()) {
      ObjectNode err = error("prompt_outputs_failed_validation", "Prompt outputs failed validation", String.join("\n", ownErrors));
      return new Result(err, nodeErrors, List.of());
    }
    return new Result(null, nodeErrors, good);
  }

  static ObjectNode error(String type, String message, String details) {
    ObjectNode e = Json.object();
    e.put("type", type);
    e.put("message", message);
    e.put("details", details);
    e.putObject("extra_info");
    return e;
  }

  private static Result invalidPrompt(String message, String nodeId) {
    return new Result(error("invalid_prompt", message, "Node ID '#" + nodeId + "'"), Json.object(), List.of());
  }

  /** Checks nodes recursively with memoisation, like {@code validate_inputs}. */
  private final class NodeChecker {
    private final ObjectNode prompt;
    private final Map<String, Boolean> valid = new HashMap<>();
    private final Map<String, ArrayNode> errors = new HashMap<>();

    NodeChecker(ObjectNode prompt) {
      this.prompt = prompt;
    }

    ArrayNode errorsOf(String nodeId) {
      return errors.getOrDefault(nodeId, Json.array());
    }

    Map<String, ArrayNode> failures() {
      Map<String, ArrayNode> out = new HashMap<>();
      errors.forEach((id, errs) -> {
        if (!valid.get(id) && !errs.isEmpty()) {
          out.put(id, errs);
        }
      });
      return out;
    }

    boolean check(String nodeId) {
      Boolean known = valid.get(nodeId);
      if (known != null) {
        return known;
      }
      valid.put(nodeId, true); // breaks cycles; the real server reports them at run time
      ObjectNode node = (ObjectNode) prompt.get(nodeId);
      String classType = node.get("class_type").asText();
      ObjectNode inputs = node.has("inputs") && node.get("inputs").isObject() ? (ObjectNode) node.get("inputs") : Json.object();
      ArrayNode errs = Json.array();
      boolean ok = true;
      for (Map.Entry<String, ArrayNode> in : catalog.required(classType).entrySet()) {
        String name = in.getKey();
        ArrayNode config = in.getValue();
        JsonNode value = inputs.get(name);
        if (value == null) {
          errs.add(InputErrors.missing(name));
          ok = false;
        } else if (value.isArray()) {
          ok &= checkLink(nodeId, name, config, (ArrayNode) value, errs);
        } else if ("LoadImage".equals(classType) && "image".equals(name)) {
          if (!inputFileExists.test(value.asText())) {
            errs.add(InputErrors.customValidation(name, "image - Invalid image file: " + value.asText()));
            ok = false;
          }
        } else {
          JsonNode converted = LiteralCheck.check(name, config, value, errs);
          if (converted == null) {
            ok = false;
          } else {
            inputs.set(name, converted);
          }
        }
      }
      valid.put(nodeId, ok);
      errors.put(nodeId, errs);
      return ok;
    }

    private boolean checkLink(String nodeId, String name, ArrayNode config, ArrayNode link, ArrayNode errs) {
      if (link.size() != 2) {
        errs.add(InputErrors.badLink(name, config, link));
        return false;
      }
      String from = link.get(0).asText();
      int slot = link.get(1).asInt();
      ArrayNode linkedNode = Json.array().add(nodeId).add(slot);
      JsonNode source = prompt.get(from);
      if (source == null) {
        errs.add(InputErrors.inner(name, config, "'" + from + "'", "KeyError", linkedNode));
        return false;
      }
      List<String> types = catalog.outputTypes(source.get("class_type").asText());
      if (slot < 0 || slot >= types.size()) {
        errs.add(InputErrors.inner(name, config, "tuple index out of range", "IndexError", linkedNode));
        return false;
      }
      String expected = config.get(0).asText();
      String received = types.get(slot);
      if (!expected.equals(received) && !"*".equals(expected)) {
        errs.add(InputErrors.typeMismatch(name, config, received, link));
        return false;
      }
      return check(from);
    }
  }
}
