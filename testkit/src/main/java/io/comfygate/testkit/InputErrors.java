package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Node-level validation errors in ComfyUI's shape: {@code {type, message, details, extra_info}}. */
final class InputErrors {
  private InputErrors() {}

  static ObjectNode of(String type, String message, String details, ObjectNode extra) {
    ObjectNode e = Json.object();
    e.put("type", type);
    e.put("message", message);
    e.put("details", details);
    e.set("extra_info", extra);
    return e;
  }

  static ObjectNode extra(String inputName) {
    ObjectNode x = Json.object();
    x.put("input_name", inputName);
    return x;
  }

  static ObjectNode extra(String inputName, ArrayNode config) {
    ObjectNode x = extra(inputName);
    x.set("input_config", normalized(config));
    return x;
  }

  /** ComfyUI reports an input config as {@code [type, options]} even when object_info omits the options. */
  static ArrayNode normalized(ArrayNode config) {
    ArrayNode c = config.deepCopy();
    if (c.size() == 1) {
      c.addObject();
    }
    return c;
  }

  static ObjectNode missing(String name) {
    return of("required_input_missing", "Required input is missing", name, extra(name));
  }

  static ObjectNode customValidation(String name, String details) {
    return of("custom_validation_failed", "Custom validation failed for node", details, extra(name));
  }

  static ObjectNode badLink(String name, ArrayNode config, JsonNode value) {
    ObjectNode x = extra(name, config);
    x.set("received_value", value);
    return of("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", name, x);
  }

  static ObjectNode inner(String name, ArrayNode config, String message, String exceptionType, ArrayNode linkedNode) {
    ObjectNode x = extra(name, config);
    x.put("exception_message", message);
    x.put("exception_type", exceptionType);
    x.putArray("traceback").add("  File \"execution.py\", line 790, in validate_inputs\n    (simulated by FakeComfyUi)\n");
    x.set("linked_node", linkedNode);
    return of("exception_during_inner_validation", "Exception when validating inner node", message, x);
  }

  static ObjectNode typeMismatch(String name, ArrayNode config, String received, ArrayNode link) {
    ObjectNode x = extra(name, config);
    x.put("received_type", received);
    x.set("linked_node", link);
    String details = name + ", received_type(" + received + ") mismatch input_type(" + config.get(0).asText() + ")";
    return of("return_type_mismatch", "Return type mismatch between linked nodes", details, x);
  }

  static ObjectNode invalidType(String name, ArrayNode config, JsonNode value, String type, String exceptionMessage) {
    ObjectNode x = extra(name, config);
    x.set("received_value", value);
    x.put("exception_message", exceptionMessage);
    String details = name + ", " + Py.str(value) + ", " + exceptionMessage;
    return of("invalid_input_type", "Failed to convert an input value to a " + type + " value", details, x);
  }

  static ObjectNode outOfRange(boolean tooBig, String name, ArrayNode config, JsonNode value, JsonNode limit) {
    ObjectNode x = extra(name, config);
    x.set("received_value", value);
    return tooBig
        ? of("value_bigger_than_max", "Value " + Py.str(value) + " bigger than max of " + Py.str(limit), name, x)
        : of("value_smaller_than_min", "Value " + Py.str(value) + " smaller than min of " + Py.str(limit), name, x);
  }

  static ObjectNode notInList(String name, ArrayNode config, JsonNode value, ArrayNode options) {
    ObjectNode x = extra(name);
    // The real server leaves out long option lists.
    x.set("input_config", options.size() > 20 ? Json.MAPPER.nullNode() : normalized(config));
    x.set("received_value", value);
    String details = name + ": '" + Py.str(value) + "' not in " + Py.repr(options);
    return of("value_not_in_list", "Value not in list", details, x);
  }
}
