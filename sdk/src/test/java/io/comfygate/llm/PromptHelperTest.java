package io.comfygate.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.LlmException;
import io.comfygate.testkit.llm.FakeOpenAi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PromptHelperTest {
  private final FakeOpenAi fake = FakeOpenAi.start();
  private final LlmClient client = LlmClient.builder().baseUrl(fake.baseUrl().toString()).model("m").build();
  private final PromptHelper helper = new PromptHelper(client);

  @AfterEach
  void tearDown() {
    client.close();
    fake.close();
  }

  @Test
  void improveSendsTheFixedSystemMessageAndTheIdea() {
    fake.reply("  \"a cat on a roof, golden hour, detailed fur, 35mm\"\n");

    assertThat(helper.improve(" a cat on a roof ")).isEqualTo("a cat on a roof, golden hour, detailed fur, 35mm");
    String body = fake.requests().get(0).body();
    assertThat(body).contains("Stable Diffusion").contains("\"content\":\"a cat on a roof\"");
  }

  @Test
  void multiLineAnswersBecomeOneLine() {
    fake.reply("cat,\nroof\n\n sunset");
    assertThat(helper.improve("cat")).isEqualTo("cat, roof, sunset");
  }

  @Test
  void blankInputIsRefusedWithoutCallingTheLlm() {
    assertThatThrownBy(() -> helper.improve("   ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt must not be blank");
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void emptyAnswerIsMalformed() {
    fake.reply(" \"\" ");
    assertThatThrownBy(() -> helper.improve("cat"))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED));
  }

  @Test
  void longAnswersAreCutAtAKeywordBoundary() {
    String keyword = "very detailed keyword";
    String answer = String.join(", ", java.util.Collections.nCopies(200, keyword));

    String cleaned = PromptHelper.clean(answer);

    assertThat(cleaned.length()).isLessThanOrEqualTo(PromptHelper.MAX_LENGTH);
    assertThat(cleaned).endsWith(keyword);
  }

  @Test
  void translateSendsTheTranslateSystemMessageAndThePromptAsWritten() throws Exception {
    fake.reply("a cat on a beach at sunset");

    assertThat(helper.assist("노을 지는 바닷가의 고양이", PromptHelper.Mode.TRANSLATE)).isEqualTo("a cat on a beach at sunset");
    com.fasterxml.jackson.databind.JsonNode sent =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(fake.requests().get(0).body());
    assertThat(sent.path("messages").get(0).path("content").asText())
        .isEqualTo(SystemPrompts.shipped().forMode(PromptHelper.Mode.TRANSLATE)).contains("into English");
    assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("노을 지는 바닷가의 고양이");
  }

  @Test
  void theTwoModesSendDifferentSystemMessages() {
    SystemPrompts shipped = SystemPrompts.shipped();
    assertThat(shipped.forMode(PromptHelper.Mode.EXPAND)).isNotEqualTo(shipped.forMode(PromptHelper.Mode.TRANSLATE))
        .contains("lighting");
  }

  @Test
  void overLongInputIsRefusedWithoutCallingTheLlm() {
    String tooLong = "가".repeat(PromptHelper.MAX_LENGTH + 1);
    assertThatThrownBy(() -> helper.assist(tooLong, PromptHelper.Mode.TRANSLATE))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("prompt is 2001 characters long; at most 2000 allowed");
    assertThat(helper.assist("가".repeat(PromptHelper.MAX_LENGTH), PromptHelper.Mode.TRANSLATE)).startsWith("fake reply to:");
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void anOperatorsFileReplacesTheSystemPrompts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("prompts.properties");
    java.nio.file.Files.writeString(file, "translate=Übersetze ins Englische.\nexpand=Mach es \\\n  reicher.\n",
        java.nio.charset.StandardCharsets.UTF_8);
    PromptHelper own = new PromptHelper(client, SystemPrompts.read(file));

    own.assist("cat", PromptHelper.Mode.EXPAND);

    assertThat(fake.requests().get(0).body()).contains("Mach es reicher.");
  }

  @Test
  void aFileWithoutEveryModeIsRefusedNamingTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("prompts.properties");
    java.nio.file.Files.writeString(file, "translate=Translate.\n");

    assertThatThrownBy(() -> SystemPrompts.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("mode 'expand'");
    assertThatThrownBy(() -> SystemPrompts.read(dir.resolve("missing.properties")))
        .hasMessageStartingWith("LLM_PROMPTS_FILE cannot be read");
  }

  @Test
  void disabledLlmIsAClearError() {
    PromptHelper off = new PromptHelper(LlmClient.disabled("LLM_BASE_URL not set"));
    assertThatThrownBy(() -> off.improve("cat")).hasMessage("LLM disabled (LLM_BASE_URL not set)");
  }
}
