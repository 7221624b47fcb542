package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Shape comparison for conformance tests: two JSON values have the same shape when they have the
 * same keys and JSON value types all the way down. Values (ids, timestamps, numbers, file names) are
 * ignored, all numbers are one type, and object keys that are UUIDs (prompt ids) count as one key.
 */
final class Shapes {
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Set<String> PROGRESSISH = Set.of("progress", "progress_state");

  private Shapes() {}

  /** A canonical text of the shape, e.g. {@code {a:number,b:[string]}}. */
  static String of(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    if (n.isObject()) {
      TreeMap<String, String> fields = new TreeMap<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        fields.put(UUID.matcher(k).matches() ? "<uuid>" : k, of(n.get(k)));
      }
      List<String> parts = new ArrayList<>();
      fields.forEach((k, v) -> parts.add(k + ":" + v));
      return "{" + String.join(",", parts) + "}";
    }
    if (n.isArray()) {
      Set<String> elements = new java.util.TreeSet<>();
      n.forEach(e -> elements.add(of(e)));
      return "[" + String.join("|", elements) + "]";
    }
    if (n.isNumber()) {
      return "number";
    }
    if (n.isTextual()) {
      return "string";
    }
    if (n.isBoolean()) {
      return "boolean";
    }
    return "null";
  }

  /**
   * Event types in order, with each run of progress events ({@code progress}, {@code
   * progress_state}, binary previews) collapsed to its distinct types in first-seen order, so that
   * runs with a different number of steps compare equal while the per-step order still counts.
   */
  static List<String> collapse(List<String> types) {
    List<String> out = new ArrayList<>();
    Set<String> run = new LinkedHashSet<>();
    for (String t : types) {
      if (PROGRESSISH.contains(t) || t.startsWith("binary:")) {
        run.add(t);
      } else {
        out.addAll(run);
        run.clear();
        out.add(t);
      }
    }
    out.addAll(run);
    return out;
  }
}
