package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.config.Settings;
import io.comfygate.engine.JobEngine;
import io.comfygate.llm.LlmClient;
import io.comfygate.testkit.llm.FakeOpenAi;
import io.comfygate.web.AppServices;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /api/v1/prompt/assist on an engine whose LLM is the FakeOpenAi over real HTTP: the answer's
 * shape, each refusal (400, 429 with Retry-After, 503 llm_unavailable for an LLM error, a 429 from the
 * LLM, a slow LLM) and what reaches the LLM.
 */
class PromptResourceTest extends ResourceTestBase {
  private static final int PER_MINUTE = 3;
  private static FakeOpenAi llm;
  private static JobEngine withLlm;

  @BeforeAll
  static void startLlm() {
    llm = FakeOpenAi.start("sk-test");
    LlmClient client = LlmClient.builder().baseUrl(llm.baseUrl().toString()).model("fake-model").apiKey("sk-test")
        .timeout(Duration.ofSeconds(1)).build();
    withLlm = engineBuilder().llm(client).build();
  }

  @AfterAll
  static void stopLlm() {
    withLlm.close();
    llm.close();
  }

  @BeforeEach
  void resetLlm() {
    llm.reset();
  }

  @Override
  protected Application configure() {
    forceSet(TestProperties.CONTAINER_PORT, "0");
    Settings settings = Settings.builder().environment(Map.of("LLM_ASSIST_PER_MINUTE", String.valueOf(PER_MINUTE))).build();
    return application(new AppServices(settings, withLlm, apiKeys));
  }

  /** The chat requests the LLM got (the engine's health check also asks it for /v1/models). */
  private static java.util.List<FakeOpenAi.Request> chats() {
    return llm.requests().stream().filter(r -> r.path().equals("/v1/chat/completions")).toList();
  }

  private Response assist(String caller, String prompt, String mode) {
    return post(caller, "v1/prompt/assist", JSON.createObjectNode().put("prompt", prompt).put("mode", mode).toString());
  }

  @Test
  void translateAnswersTheLlmsSuggestionWithModeAndModel() throws Exception {
    llm.reply("\"a cat on a beach at sunset, warm light\"");

    JsonNode body = json(assist("tr1;user", "  노을 지는 바닷가의 고양이 ", "translate"), 200);

    assertThat(body.path("prompt").asText()).isEqualTo("a cat on a beach at sunset, warm light");
    assertThat(body.path("mode").asText()).isEqualTo("translate");
    assertThat(body.path("model").asText()).isEqualTo("fake-model");
    JsonNode sent = JSON.readTree(chats().get(0).body());
    assertThat(sent.path("messages").get(0).path("content").asText()).contains("into English");
    assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("노을 지는 바닷가의 고양이");
    assertThat(chats().get(0).authorization()).isEqualTo("Bearer sk-test");
  }

  @Test
  void expandUsesTheExpandSystemPrompt() throws Exception {
    json(assist("ex1;user", "cat", "expand"), 200);
    assertThat(JSON.readTree(chats().get(0).body()).path("messages").get(0).path("content").asText())
        .contains("lighting");
  }

  @Test
  void statusSaysTheAssistantIsOfferedWithItsModes() {
    JsonNode body = json(get("st1;user", "v1/prompt/assist"), 200);
    assertThat(body.path("enabled").asBoolean()).isTrue();
    assertThat(body.path("modes").toString()).isEqualTo("[\"translate\",\"expand\"]");
    assertThat(body.path("per_minute").asInt()).isEqualTo(PER_MINUTE);
    assertThat(body.has("reason")).isFalse();
  }

  @Test
  void emptyOverLongAndUnknownModeAre400WithoutAskingTheLlm() {
    badParameter(assist("bad1;user", "   ", "translate"), "prompt");
    assertThat(badParameter(assist("bad1;user", "x".repeat(2001), "translate"), "prompt").path("message").asText())
        .isEqualTo("prompt: is 2001 characters long; at most 2000 allowed");
    assertThat(badParameter(assist("bad1;user", "cat", "poem"), "mode").path("message").asText())
        .isEqualTo("mode: must be one of translate, expand (got poem)");
    badParameter(post("bad1;user", "v1/prompt/assist", "{\"prompt\": \"cat\"}"), "mode");
    assertThat(chats()).isEmpty();
  }

  @Test
  void overTheLimitIs429WithRetryAfterAndOtherUsersAreNotAffected() {
    for (int i = 0; i < PER_MINUTE; i++) {
      json(assist("lim1;user", "cat " + i, "expand"), 200);
    }
    Response refused = assist("lim1;user", "one more", "expand");
    String retryAfter = refused.getHeaderString("Retry-After");
    JsonNode body = error(refused, 429, "quota_exceeded");
    assertThat(Long.parseLong(retryAfter)).isBetween(1L, 60L);
    assertThat(body.path("retry_after_seconds").asLong()).isEqualTo(Long.parseLong(retryAfter));
    assertThat(body.path("limit").asInt()).isEqualTo(PER_MINUTE);
    assertThat(body.path("message").asText()).startsWith("At most 3 prompt assistant requests per minute");
    assertThat(chats()).hasSize(PER_MINUTE);

    json(assist("lim2;user", "cat", "expand"), 200);
  }

  @Test
  void anLlmErrorIs503LlmUnavailableWithTheReason() {
    llm.failWith(500);
    JsonNode body = error(assist("err1;user", "cat", "translate"), 503, "llm_unavailable");
    assertThat(body.path("message").asText()).contains("answered HTTP 500").doesNotContain("sk-test");
  }

  @Test
  void aRateLimitFromTheLlmIs503WithItsReason() {
    llm.failWith(429);
    JsonNode body = error(assist("err2;user", "cat", "translate"), 503, "llm_unavailable");
    assertThat(body.path("message").asText()).contains("HTTP 429").contains("Rate limit reached");
  }

  @Test
  void anLlmSlowerThanTheTimeoutIs503() {
    llm.delay(Duration.ofSeconds(3));
    long start = System.nanoTime();
    JsonNode body = error(assist("slow1;user", "cat", "translate"), 503, "llm_unavailable");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    assertThat(body.path("message").asText()).isNotBlank();
  }

  @Test
  void withoutAnIdentityIs401() {
    error(assist(null, "cat", "translate"), 401, "unauthorized");
  }
}
