package io.comfygate.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.InvalidParamsException.Problem;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemplateBindingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Template txt2img = TemplateRegistry.shipped().get("txt2img");

  private static JsonNode params(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private BoundWorkflow bind(String json) {
    return txt2img.bind(params(json), new Random(42));
  }

  private static InvalidParamsException refused(Template t, String json) {
    try {
      t.bind(params(json), new Random(1));
    } catch (InvalidParamsException e) {
      return e;
    }
    throw new AssertionError("expected the parameters to be refused: " + json);
  }

  @Test
  void bindsValuesIntoEveryTargetAndFillsDefaults() {
    BoundWorkflow bound = bind("{\"prompt\": \"a cat\", \"seed\": 7, \"width\": 640}");
    ObjectNode wf = bound.workflow();
    assertThat(wf.at("/6/inputs/text").asText()).isEqualTo("a cat");
    assertThat(wf.at("/3/inputs/seed").asLong()).isEqualTo(7);
    assertThat(wf.at("/5/inputs/width").asInt()).isEqualTo(640);
    assertThat(wf.at("/5/inputs/height").asInt()).isEqualTo(512);
    assertThat(wf.at("/3/inputs/sampler_name").asText()).isEqualTo("euler");
    assertThat(bound.params().get("height").asInt()).isEqualTo(512);
    assertThat(bound.params().get("negative_prompt").asText()).isEmpty();
  }

  @Test
  void randomSeedIsDrawnWithinRangeAndRecorded() {
    BoundWorkflow a = txt2img.bind(params("{\"prompt\": \"x\"}"), new Random(1));
    BoundWorkflow b = txt2img.bind(params("{\"prompt\": \"x\"}"), new Random(2));
    long seedA = a.params().get("seed").asLong();
    assertThat(seedA).isBetween(0L, 4294967295L);
    assertThat(a.workflow().at("/3/inputs/seed").asLong()).isEqualTo(seedA);
    assertThat(b.params().get("seed").asLong()).isNotEqualTo(seedA);
  }

  @Test
  void bindingLeavesTheTemplateUntouched() {
    bind("{\"prompt\": \"changed\"}");
    assertThat(txt2img.workflow().at("/6/inputs/text").asText()).isEmpty();
  }

  @Test
  void integralFloatsAreAcceptedAsInts() {
    assertThat(bind("{\"prompt\": \"x\", \"steps\": 30.0}").workflow().at("/3/inputs/steps").isIntegralNumber()).isTrue();
  }

  @Test
  void everyBadFieldIsNamedWithItsReason() {
    InvalidParamsException e = refused(txt2img,
        "{\"width\": 500, \"height\": 4096, \"steps\": \"many\", \"cfg\": true, \"sampler\": \"magic\", \"seed\": -1, \"colour\": 1}");
    assertThat(e.problems()).extracting(Problem::field)
        .containsExactlyInAnyOrder("colour", "prompt", "width", "height", "steps", "seed", "cfg", "sampler");
    assertThat(e.problems()).contains(
        new Problem("prompt", "is required"),
        new Problem("width", "must be a multiple of 8 (got 500)"),
        new Problem("height", "must be at most 2048 (got 4096)"),
        new Problem("steps", "must be a whole number (got \"many\")"),
        new Problem("seed", "must be at least 0 (got -1)"),
        new Problem("cfg", "must be a number (got true)"));
    assertThat(e.getMessage()).startsWith("Invalid parameters: ").contains("sampler: must be one of [euler");
  }

  @Test
  void blankOrOverlongPromptsAreRefused() {
    assertThat(refused(txt2img, "{\"prompt\": \"   \"}").problems())
        .containsExactly(new Problem("prompt", "must not be blank"));
    String longPrompt = "x".repeat(2001);
    assertThat(refused(txt2img, "{\"prompt\": \"" + longPrompt + "\"}").problems())
        .containsExactly(new Problem("prompt", "is 2001 characters long; at most 2000 allowed"));
  }

  @Test
  void paramsMustBeAnObject() {
    assertThatThrownBy(() -> txt2img.bind(params("[1,2]"), new Random()))
        .isInstanceOf(InvalidParamsException.class)
        .hasMessageContaining("params: must be a JSON object");
  }

  @Test
  void hugeNumbersAreRefusedNotWrapped() {
    assertThat(refused(txt2img, "{\"prompt\": \"x\", \"seed\": 123456789012345678901234567890}").problems())
        .extracting(Problem::reason).singleElement().asString().startsWith("must be at most 4294967295");
  }
}
