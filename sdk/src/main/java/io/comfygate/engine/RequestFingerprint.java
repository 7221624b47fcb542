package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 fingerprint of a submit request, to tell a retry from a different request under the
 * same idempotency key. Canonical: the resolved template name (so an omitted template equals the
 * default one named explicitly), and the params as the caller sent them (before defaults and random
 * seeds are bound) with object keys sorted, so key order and whitespace do not matter; missing
 * params equal an empty object. Values are compared as JSON: {@code 7} and {@code 7.0} differ.
 */
final class RequestFingerprint {
  private static final ObjectMapper CANONICAL = Json.newMapper()
      .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

  private RequestFingerprint() {}

  static String of(String template, JsonNode params) {
    ObjectNode request = CANONICAL.createObjectNode();
    request.put("template", template);
    request.set("params", params == null || params.isNull() ? CANONICAL.createObjectNode() : params);
    try {
      byte[] canonical = CANONICAL.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
