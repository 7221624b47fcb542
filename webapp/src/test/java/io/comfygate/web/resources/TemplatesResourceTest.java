package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /v1/templates in memory: every registered template with its typed parameters. */
class TemplatesResourceTest extends ResourceTestBase {

  @Test
  void listsEveryTemplateWithItsTypedParametersInFileOrder() {
    JsonNode list = json(get(ALICE, "v1/templates"), 200);

    List<String> names = new ArrayList<>();
    list.forEach(t -> names.add(t.path("name").asText()));
    assertThat(names).containsExactlyElementsOf(engine.templates().all().stream().map(t -> t.name()).toList());
    JsonNode txt2img = list.get(names.indexOf("txt2img"));
    assertThat(txt2img.path("default").asBoolean()).isTrue();
    assertThat(txt2img.path("description").asText()).isNotBlank();
    assertThat(txt2img.has("workflow")).as("the workflow stays on the server").isFalse();

    List<String> params = new ArrayList<>();
    txt2img.path("params").forEach(p -> params.add(p.path("name").asText()));
    assertThat(params).containsExactly("prompt", "negative_prompt", "width", "height", "steps", "seed", "cfg", "sampler",
        "batch_size");
    JsonNode prompt = txt2img.path("params").get(0);
    assertThat(prompt.path("type").asText()).isEqualTo("string");
    assertThat(prompt.path("required").asBoolean()).isTrue();
    assertThat(prompt.path("max_length").asInt()).isEqualTo(2000);
    assertThat(prompt.has("default")).isFalse();
    assertThat(prompt.path("description").asText()).isNotBlank();
    JsonNode width = txt2img.path("params").get(2);
    assertThat(width.path("type").asText()).isEqualTo("int");
    assertThat(width.path("default").asInt()).isEqualTo(512);
    assertThat(width.path("min").asInt()).isEqualTo(64);
    assertThat(width.path("max").asInt()).isEqualTo(2048);
    assertThat(width.path("multiple_of").asInt()).isEqualTo(8);
    assertThat(width.has("choices")).isFalse();
    JsonNode seed = txt2img.path("params").get(5);
    assertThat(seed.path("default").asText()).isEqualTo("random");
    assertThat(seed.path("max").asLong()).isEqualTo(4294967295L);
    JsonNode cfg = txt2img.path("params").get(6);
    assertThat(cfg.path("type").asText()).isEqualTo("float");
    assertThat(cfg.path("default").asDouble()).isEqualTo(7.0);
    JsonNode sampler = txt2img.path("params").get(7);
    assertThat(sampler.path("type").asText()).isEqualTo("choice");
    assertThat(sampler.path("choices")).extracting(JsonNode::asText).contains("euler", "dpmpp_2m");
  }

  @Test
  void needsAnIdentity() {
    error(get(null, "v1/templates"), 401, "unauthorized");
  }
}
