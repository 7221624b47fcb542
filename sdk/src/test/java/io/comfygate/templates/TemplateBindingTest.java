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

  /**
   * Numbers a plain JSON reader turns into infinity (1e309) or 0 (1e-400), and exponents whose
   * exact value has billions of digits: each is refused naming its field, in well under a second.
   */
  @Test
  void numbersBeyondADoubleAreRefusedNamingTheField() {
    for (String v : new String[] {"1e309", "-1e309", "1e999999999", "1E+2147483647"}) {
      for (String field : new String[] {"steps", "cfg", "seed", "width"}) {
        assertThat(refused(txt2img, "{\"prompt\": \"x\", \"" + field + "\": " + v + "}").problems())
            .as("%s = %s", field, v).extracting(Problem::field).containsExactly(field);
      }
    }
    assertThat(refused(txt2img, "{\"prompt\": \"x\", \"cfg\": 1e309}").problems().get(0).reason())
        .isEqualTo("must be a finite number no larger than 1.7976931348623157E308 (got \"Infinity\")");
  }

  @Test
  void exactNumbersAreJudgedOnTheirExactValue() {
    ObjectMapper exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    java.util.function.Function<String, InvalidParamsException> refusedExact = json -> {
      try {
        txt2img.bind(exact.readTree(json), new Random(1));
      } catch (InvalidParamsException e) {
        return e;
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(e);
      }
      throw new AssertionError("expected a refusal: " + json);
    };
    assertThat(refusedExact.apply("{\"prompt\": \"x\", \"steps\": 1E+2147483647}").problems())
        .containsExactly(new Problem("steps", "must be at most 150 (got 1E+2147483647)"));
    assertThat(refusedExact.apply("{\"prompt\": \"x\", \"seed\": 1e-400}").problems())
        .containsExactly(new Problem("seed", "must be a whole number (got 1E-400)"));
    assertThat(refusedExact.apply("{\"prompt\": \"x\", \"cfg\": -1e309}").problems())
        .containsExactly(new Problem("cfg", "must be at least 1.0 (got -1E+309)"));
    assertThat(refusedExact.apply("{\"prompt\": \"x\", \"cfg\": 1e-400}").problems())
        .containsExactly(new Problem("cfg", "must be at least 1.0 (got 1E-400)"));
  }

  @Test
  void withoutBoundsTinyFloatsAndHugeIntsAreRefusedNotRounded() throws Exception {
    String template = "{\"name\": \"t\", \"workflow\": {\"1\": {\"class_type\": \"X\", \"inputs\": {\"v\": 0, \"n\": 0}}},"
        + " \"params\": {\"v\": {\"type\": \"float\", \"default\": 0.5, \"target\": [\"1\", \"v\"]},"
        + " \"n\": {\"type\": \"int\", \"default\": 0, \"target\": [\"1\", \"n\"]}}}";
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("templates");
    java.nio.file.Files.writeString(dir.resolve("t.json"), template);
    Template t = TemplateRegistry.load(dir, "t").get("t");
    ObjectMapper exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    try {
      t.bind(exact.readTree("{\"v\": 1e-400}"), new Random(1));
      throw new AssertionError("1e-400 was accepted");
    } catch (InvalidParamsException e) {
      assertThat(e.problems()).containsExactly(new Problem("v", "is too close to 0 to be sent as a number (got 1E-400)"));
    }
    try {
      t.bind(exact.readTree("{\"n\": 99999999999999999999}"), new Random(1));
      throw new AssertionError("a number beyond 64 bits was accepted");
    } catch (InvalidParamsException e) {
      assertThat(e.problems()).extracting(Problem::reason).singleElement().asString()
          .startsWith("must be between -9223372036854775808 and 9223372036854775807");
    }
    assertThat(t.bind(exact.readTree("{\"v\": 1e-300, \"n\": -9223372036854775808}"), new Random(1)).workflow().at("/1/inputs/n").asLong())
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void resolvedValuesBindLaterToTheSameWorkflowWithNothingDrawnAgain() {
    ObjectNode resolved = txt2img.resolve(params("{\"prompt\": \"a cat\", \"width\": 640}"), new Random(3));
    BoundWorkflow direct = txt2img.bind(params("{\"prompt\": \"a cat\", \"width\": 640}"), new Random(3));
    assertThat(resolved).isEqualTo(direct.params());

    BoundWorkflow later = txt2img.bind(resolved, new Random(99)); // another draw would change the seed
    assertThat(later.workflow()).isEqualTo(direct.workflow());
    assertThat(later.params()).isEqualTo(resolved);
    assertThatThrownBy(() -> txt2img.resolve(params("{\"width\": 640, \"colour\": 1}"), new Random(3)))
        .isInstanceOf(InvalidParamsException.class)
        .satisfies(e -> assertThat(((InvalidParamsException) e).problems()).extracting(Problem::field)
            .containsExactlyInAnyOrder("colour", "prompt"));
  }
}
