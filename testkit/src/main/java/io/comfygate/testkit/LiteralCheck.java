package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Converts and range-checks one literal input against its config, like ComfyUI's validate_inputs. */
final class LiteralCheck {
  private LiteralCheck() {}

  /** The converted value, or null after adding the error to {@code errs}. */
  static JsonNode check(String name, ArrayNode config, JsonNode value, ArrayNode errs) {
    JsonNode typeSlot = config.get(0);
    JsonNode opts = config.size() > 1 ? config.get(1) : Json.object();
    if (typeSlot.isArray() || "COMBO".equals(typeSlot.asText())) {
      ArrayNode options = typeSlot.isArray() ? (ArrayNode) typeSlot : (ArrayNode) opts.path("options");
      for (JsonNode o : options) {
        if (o.asText().equals(Py.str(value))) {
          return value;
        }
      }
      errs.add(InputErrors.notInList(name, config, value, options));
      return null;
    }
    String type = typeSlot.asText();
    JsonNode converted;
    try {
      converted = convert(type, value);
    } catch (IllegalArgumentException e) {
      errs.add(InputErrors.invalidType(name, config, value, type, e.getMessage()));
      return null;
    }
    if (converted.isNumber()) {
      BigDecimal v = converted.decimalValue();
      if (opts.has("min") && v.compareTo(opts.get("min").decimalValue()) < 0) {
        errs.add(InputErrors.outOfRange(false, name, config, value, opts.get("min")));
        return null;
      }
      if (opts.has("max") && v.compareTo(opts.get("max").decimalValue()) > 0) {
        errs.add(InputErrors.outOfRange(true, name, config, value, opts.get("max")));
        return null;
      }
    }
    return converted;
  }

  private static JsonNode convert(String type, JsonNode value) {
    switch (type) {
      case "INT":
        if (value.isIntegralNumber()) {
          return value;
        }
        if (value.isNumber()) {
          return BigIntegerNode.valueOf(value.decimalValue().toBigInteger());
        }
        if (value.isBoolean()) {
          return BigIntegerNode.valueOf(value.asBoolean() ? BigInteger.ONE : BigInteger.ZERO);
        }
        try {
          return BigIntegerNode.valueOf(new BigInteger(value.asText().trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("invalid literal for int() with base 10: '" + Py.str(value) + "'");
        }
      case "FLOAT":
        if (value.isNumber()) {
          return DoubleNode.valueOf(value.doubleValue());
        }
        try {
          return DoubleNode.valueOf(Double.parseDouble(value.asText().trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("could not convert string to float: '" + Py.str(value) + "'");
        }
      case "STRING":
        return value.isTextual() ? value : TextNode.valueOf(Py.str(value));
      case "BOOLEAN":
        return BooleanNode.valueOf(value.asBoolean());
      default:
        return value; // a typed socket given a literal: ComfyUI passes it through
    }
  }
}
