package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Without LLM_BASE_URL the assistant says it is off and why, and every request is 503 llm_unavailable. */
class PromptAssistOffTest extends ResourceTestBase {
  @Test
  void statusIsDisabledWithTheReason() {
    JsonNode body = json(get("off1;user", "v1/prompt/assist"), 200);
    assertThat(body.path("enabled").asBoolean()).isFalse();
    assertThat(body.path("reason").asText()).contains("LLM_BASE_URL not set");
  }

  @Test
  void assistIs503LlmUnavailableNamingTheSetting() {
    JsonNode body = error(post("off1;user", "v1/prompt/assist", "{\"prompt\": \"cat\", \"mode\": \"translate\"}"),
        503, "llm_unavailable");
    assertThat(body.path("message").asText()).contains("LLM_BASE_URL not set");
  }
}
