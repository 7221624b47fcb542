package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Python-style text of JSON values, for error messages that quote values like the real server. */
final class Py {
  private Py() {}

  /** Python's {@code str()} of a JSON scalar. */
  static String str(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asBoolean() ? "True" : "False";
    }
    if (v.isNull()) {
      return "None";
    }
    return v.toString();
  }

  /** Python's {@code repr()} of a list of strings, e.g. {@code ['a', 'b']}. */
  static String repr(JsonNode list) {
    List<String> parts = new ArrayList<>();
    list.forEach(n -> parts.add(n.isTextual() ? "'" + n.asText() + "'" : str(n)));
    return "[" + String.join(", ", parts) + "]";
  }
}
