package io.comfygate.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.TemplateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateRegistryTest {
  @TempDir Path dir;

  private static final String UPSCALE = """
      {"name": "invert", "description": "Inverts an uploaded image",
       "workflow": {"1": {"class_type": "LoadImage", "inputs": {"image": "in.png"}},
                    "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
                    "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "inv"}}},
       "params": {"image": {"type": "image", "required": true, "target": ["1", "image"]},
                  "prefix": {"type": "string", "default": "inv", "target": [["3", "filename_prefix"]]}}}
      """;

  private void write(String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content);
  }

  @Test
  void shippedTxt2imgIsTheDefault() {
    TemplateRegistry registry = TemplateRegistry.shipped();
    assertThat(registry.get(null).name()).isEqualTo("txt2img");
    assertThat(registry.get(" ").name()).isEqualTo("txt2img");
    assertThat(registry.defaultTemplate().params()).extracting(ParamSpec::name)
        .startsWith("prompt", "negative_prompt", "width", "height", "steps", "seed");
  }

  @Test
  void directoryTemplatesAreAddedAndNonJsonFilesIgnored() throws IOException {
    write("invert.json", UPSCALE);
    write("notes.txt", "not a template");
    TemplateRegistry registry = TemplateRegistry.load(dir, "invert");
    assertThat(registry.all()).extracting(Template::name).containsExactly("img2img", "invert", "txt2img");
    assertThat(registry.get(null).name()).isEqualTo("invert");
    assertThat(registry.get("invert").param("image")).get().extracting(ParamSpec::type).isEqualTo(ParamType.IMAGE);
  }

  @Test
  void aDirectoryTemplateReplacesAShippedOneOfTheSameName() throws IOException {
    write("mine.json", UPSCALE.replace("\"invert\"", "\"txt2img\""));
    assertThat(TemplateRegistry.load(dir, "txt2img").get("txt2img").description()).isEqualTo("Inverts an uploaded image");
  }

  @Test
  void unknownTemplateNamesTheAvailableOnes() {
    assertThatThrownBy(() -> TemplateRegistry.shipped().get("img2vid"))
        .isInstanceOf(InvalidParamsException.class)
        .hasMessage("Invalid parameters: template: unknown template \"img2vid\" (available: img2img, txt2img)");
  }

  @Test
  void unknownDefaultStopsLoading() {
    assertThatThrownBy(() -> TemplateRegistry.load(null, "nope"))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("no template is named \"nope\"; available: txt2img");
  }

  @Test
  void missingDirectoryIsReported() {
    assertThatThrownBy(() -> TemplateRegistry.load(dir.resolve("absent"), "txt2img"))
        .isInstanceOf(TemplateException.class).hasMessageContaining("TEMPLATE_DIR is not a directory");
  }

  @Test
  void twoFilesWithOneNameAreRefused() throws IOException {
    write("a.json", UPSCALE);
    write("b.json", UPSCALE);
    assertThatThrownBy(() -> TemplateRegistry.load(dir, "txt2img"))
        .isInstanceOf(TemplateException.class).hasMessageContaining("b.json").hasMessageContaining("a.json does already");
  }

  /** Each broken file is reported with its path and a reason an operator can act on. */
  @Test
  void brokenFilesAreReportedWithFileAndReason() throws IOException {
    String[][] cases = {
        {"{\"name\": \"x\", \"workflow\": {", "not valid JSON"},
        {"[]", "must be a JSON object"},
        {"{\"workflow\": {\"1\": {\"class_type\": \"A\"}}}", "needs a \"name\" string"},
        {"{\"name\": \"x\", \"workflow\": {}}", "\"workflow\" must be a non-empty object"},
        {"{\"name\": \"x\", \"workflow\": {\"1\": {\"inputs\": {}}}}", "workflow node \"1\" needs a \"class_type\""},
        {UPSCALE.replace("[\"1\", \"image\"]", "[\"9\", \"image\"]"), "targets node \"9\", which is not in the workflow"},
        {UPSCALE.replace("\"type\": \"image\"", "\"type\": \"picture\""), "has type \"picture\"; allowed"},
        {UPSCALE.replace("\"required\": true,", "\"required\": true, \"mx\": 3,"), "unknown key \"mx\""},
        {UPSCALE.replace("\"default\": \"inv\"", "\"default\": 5"), "parameter \"prefix\" default must be a string"},
        {UPSCALE.replace("\"target\": [[\"3\", \"filename_prefix\"]]", "\"target\": [\"3\"]"), "malformed target"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve("t.json");
      Files.writeString(file, c[0]);
      assertThatThrownBy(() -> TemplateRegistry.load(dir, "txt2img"))
          .as(c[1])
          .isInstanceOf(TemplateException.class)
          .hasMessageStartingWith("Template " + file + ": ")
          .hasMessageContaining(c[1]);
    }
  }
}
