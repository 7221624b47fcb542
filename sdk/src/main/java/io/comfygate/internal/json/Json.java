package io.comfygate.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal, not API. The shared {@link ObjectMapper} and null-tolerant readers for ComfyUI's loose
 * JSON: fields may be absent, null, an int or a float depending on the server version.
 */
public final class Json {
  /** Thread-safe once configured; shared to reuse its caches. */
  public static final ObjectMapper MAPPER = newMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  /**
   * A new mapper (Jackson's defaults) for every ObjectMapper of ComfyGate, SDK and WAR alike. Its
   * buffers are recycled through a shared pool, not Jackson's default thread-locals: those stay on
   * every thread that ever read or wrote JSON, which in a WAR are the container's request
   * threads, and hold an undeployed application's class loader until the JVM runs short of memory.
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper(pooledFactory());
  }

  /** {@code mapper}'s configuration with this class's buffer recycling (for mappers made elsewhere). */
  public static ObjectMapper recycledLikeOurs(ObjectMapper mapper) {
    return mapper.copyWith(pooledFactory());
  }

  private static JsonFactory pooledFactory() {
    return JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();
  }

  /**
   * {@code node} as compact JSON text, what {@code node.toString()} gives; but that goes through
   * Jackson's own mapper, whose buffers stay in a thread-local of the calling thread (see {@link
   * #newMapper()}), so ComfyGate calls this instead.
   */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written: " + e.getOriginalMessage(), e);
    }
  }

  /** Text of {@code node.field}, or null if absent or JSON null; numbers become their text. */
  public static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  public static String textOr(JsonNode node, String field, String fallback) {
    String v = text(node, field);
    return v == null ? fallback : v;
  }

  public static long longOr(JsonNode node, String field, long fallback) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isNumber() ? v.asLong() : fallback;
  }

  public static double doubleOr(JsonNode node, String field, double fallback) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isNumber() ? v.asDouble() : fallback;
  }

  /** Elements of an array field as text; empty for absent or non-array. */
  public static List<String> strings(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    List<String> out = new ArrayList<>();
    if (v != null && v.isArray()) {
      v.forEach(e -> out.add(e.asText()));
    }
    return out;
  }

  /** {@code node.field} or a missing node, never null. */
  public static JsonNode path(JsonNode node, String field) {
    return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node.path(field);
  }
}
