package io.comfygate.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.LlmException;
import io.comfygate.internal.json.Json;
import java.util.List;

/** Writes OpenAI chat-completion requests and reads their answers. Thread-safe (stateless). */
final class OpenAiJson {
  /** Bodies quoted in error messages are cut here: enough to recognise, not a log flood. */
  static final int MAX_QUOTED_BODY = 200;

  private final ObjectMapper mapper = Json.newMapper();

  String chatRequest(String model, List<Message> messages, double temperature, int maxTokens) {
    ObjectNode root = mapper.createObjectNode();
    root.put("model", model);
    ArrayNode array = root.putArray("messages");
    for (Message m : messages) {
      array.addObject().put("role", m.role()).put("content", m.content());
    }
    root.put("temperature", temperature);
    root.put("max_tokens", maxTokens);
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a tree of strings and numbers", e);
    }
  }

  /**
   * The assistant text of {@code choices[0].message.content}.
   *
   * @throws LlmException {@link LlmException.Kind#MALFORMED} naming what is missing
   */
  String assistantText(String body, String server) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new LlmException(LlmException.Kind.MALFORMED,
          server + " sent an answer that is not JSON: " + quote(body), e);
    }
    JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
    if (content == null || !content.isTextual()) {
      throw new LlmException(LlmException.Kind.MALFORMED,
          server + " sent an answer without choices[0].message.content: " + quote(body));
    }
    return content.asText();
  }

  /** OpenAI's {@code error.message} when the body has one, else the body itself, cut short. */
  String errorText(String body) {
    try {
      JsonNode root = mapper.readTree(body);
      JsonNode message = root == null ? null : root.path("error").path("message");
      if (message != null && message.isTextual() && !message.asText().isBlank()) {
        return quote(message.asText());
      }
    } catch (JsonProcessingException e) {
      // not OpenAI's error shape: quote the raw body instead
    }
    return body.isBlank() ? "(empty body)" : quote(body);
  }

  static String quote(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_QUOTED_BODY ? oneLine : oneLine.substring(0, MAX_QUOTED_BODY) + "…";
  }
}
