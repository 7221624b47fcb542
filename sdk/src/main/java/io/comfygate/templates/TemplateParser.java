package io.comfygate.templates;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.TemplateException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one template file (SPEC §4 format) and checks that it is consistent: every target names a
 * node of the workflow, every default satisfies its own declaration. Unknown keys in a parameter
 * are refused, so a typo such as {@code "mx"} is caught at start-up rather than silently ignored.
 */
final class TemplateParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Set<String> PARAM_KEYS = Set.of(
      "type", "required", "default", "min", "max", "max_length", "multiple_of", "choices", "target",
      "description", "label");

  private final ObjectMapper json;

  TemplateParser(ObjectMapper json) {
    this.json = json;
  }

  Template parse(String source, byte[] content) {
    JsonNode root;
    try {
      root = json.readTree(content);
    } catch (JsonProcessingException e) {
      throw new TemplateException(source, "not valid JSON: " + e.getOriginalMessage()
          + " at line " + e.getLocation().getLineNr(), e);
    } catch (java.io.IOException e) {
      throw new TemplateException(source, "cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TemplateException(source, "must be a JSON object with name, workflow and params");
    }
    String name = text(root, "name", source);
    if (!NAME.matcher(name).matches()) {
      throw new TemplateException(source, "name \"" + name + "\" must be 1-64 letters, digits, '_', '.' or '-'");
    }
    String description = root.path("description").asText("");
    ObjectNode workflow = workflow(root.get("workflow"), source);
    List<ParamSpec> params = new ArrayList<>();
    JsonNode declared = root.get("params");
    if (declared != null && !declared.isObject()) {
      throw new TemplateException(source, "\"params\" must be an object of parameter name to declaration");
    }
    if (declared != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        params.add(param(e.getKey(), e.getValue(), workflow, source));
      }
    }
    return new Template(name, description, source, workflow, params);
  }

  private static ObjectNode workflow(JsonNode node, String source) {
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new TemplateException(source, "\"workflow\" must be a non-empty object in ComfyUI API format (node id -> {class_type, inputs})");
    }
    ObjectNode workflow = (ObjectNode) node.deepCopy();
    for (Iterator<Map.Entry<String, JsonNode>> it = workflow.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode n = e.getValue();
      if (!n.isObject() || !n.path("class_type").isTextual() || n.path("class_type").asText().isBlank()) {
        throw new TemplateException(source, "workflow node \"" + e.getKey() + "\" needs a \"class_type\" string");
      }
      if (n.has("inputs") && !n.get("inputs").isObject()) {
        throw new TemplateException(source, "workflow node \"" + e.getKey() + "\" has \"inputs\" that is not an object");
      }
      if (!n.has("inputs")) {
        ((ObjectNode) n).putObject("inputs");
      }
    }
    return workflow;
  }

  private ParamSpec param(String name, JsonNode decl, ObjectNode workflow, String source) {
    String where = "parameter \"" + name + "\"";
    if (!decl.isObject()) {
      throw new TemplateException(source, where + " must be an object");
    }
    for (Iterator<String> it = decl.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!PARAM_KEYS.contains(key)) {
        throw new TemplateException(source, where + " has unknown key \"" + key + "\" (known: " + String.join(", ", new java.util.TreeSet<>(PARAM_KEYS)) + ")");
      }
    }
    String typeName = decl.path("type").asText("");
    ParamType type = ParamType.fromWireName(typeName).orElseThrow(() -> new TemplateException(source,
        where + " has type \"" + typeName + "\"; allowed: string, int, float, bool, choice, image"));
    boolean required = decl.path("required").asBoolean(false);
    JsonNode def = decl.get("default");
    boolean random = def != null && def.isTextual() && "random".equals(def.textValue()) && type == ParamType.INT;
    BigDecimal min = number(decl, "min", where, source);
    BigDecimal max = number(decl, "max", where, source);
    if (min != null && max != null && min.compareTo(max) > 0) {
      throw new TemplateException(source, where + " has min " + min + " above max " + max);
    }
    Integer maxLength = decl.has("max_length") ? positiveInt(decl.get("max_length"), where + " max_length", source) : null;
    Long multipleOf = decl.has("multiple_of") ? (long) positiveInt(decl.get("multiple_of"), where + " multiple_of", source) : null;
    List<String> choices = new ArrayList<>();
    decl.path("choices").forEach(c -> choices.add(c.asText()));
    if (type == ParamType.CHOICE && choices.isEmpty()) {
      throw new TemplateException(source, where + " is a choice but lists no \"choices\"");
    }
    if (required && def != null) {
      throw new TemplateException(source, where + " is required and so cannot have a default");
    }
    if (random && (min == null || max == null)) {
      throw new TemplateException(source, where + " has a random default and so needs min and max");
    }
    List<Target> targets = targets(decl.get("target"), where, workflow, source);
    ParamSpec spec = new ParamSpec(name, type, required, random ? null : def, random, min, max, maxLength,
        multipleOf, choices, targets, decl.path("description").asText(""));
    if (def != null && !random) {
      ParamChecker.Result checked = ParamChecker.check(spec, def);
      if (!checked.isOk()) {
        throw new TemplateException(source, where + " default " + checked.problem());
      }
    }
    return spec;
  }

  /** {@code ["6", "text"]} or {@code [["6", "text"], ["7", "text"]]}; each node must exist. */
  private static List<Target> targets(JsonNode node, String where, ObjectNode workflow, String source) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new TemplateException(source, where + " needs \"target\": [node_id, input_name] or a list of such pairs");
    }
    List<JsonNode> pairs = new ArrayList<>();
    if (node.get(0).isArray()) {
      node.forEach(pairs::add);
    } else {
      pairs.add(node);
    }
    List<Target> targets = new ArrayList<>();
    for (JsonNode pair : pairs) {
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isValueNode() || !pair.get(1).isTextual()) {
        throw new TemplateException(source, where + " has a malformed target " + pair + "; expected [node_id, input_name]");
      }
      String nodeId = pair.get(0).asText();
      if (!workflow.has(nodeId)) {
        throw new TemplateException(source, where + " targets node \"" + nodeId + "\", which is not in the workflow");
      }
      targets.add(new Target(nodeId, pair.get(1).textValue()));
    }
    return targets;
  }

  private static BigDecimal number(JsonNode decl, String key, String where, String source) {
    JsonNode n = decl.get(key);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw new TemplateException(source, where + " " + key + " must be a number, not " + n);
    }
    return n.decimalValue();
  }

  private static int positiveInt(JsonNode n, String what, String source) {
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() <= 0) {
      throw new TemplateException(source, what + " must be a whole number > 0, not " + n);
    }
    return n.intValue();
  }

  private static String text(JsonNode root, String key, String source) {
    JsonNode n = root.get(key);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new TemplateException(source, "needs a \"" + key + "\" string");
    }
    return n.asText();
  }
}
