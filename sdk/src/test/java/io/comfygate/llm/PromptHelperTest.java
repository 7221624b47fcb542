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
  void disabledLlmIsAClearError() {
    PromptHelper off = new PromptHelper(LlmClient.disabled("LLM_BASE_URL not set"));
    assertThatThrownBy(() -> off.improve("cat")).hasMessage("LLM disabled (LLM_BASE_URL not set)");
  }
}
