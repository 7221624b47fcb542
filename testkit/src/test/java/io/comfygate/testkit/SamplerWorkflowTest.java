package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A text-to-image graph with KSampler, on a fake made per test by the instance-field extension. */
class SamplerWorkflowTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  static final String SD = """
      {"prompt": {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd15-fake.safetensors"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 48, "batch_size": 2}},
        "3": {"class_type": "KSampler", "inputs": {"model": ["4", 0], "seed": 18446744073709551615, "steps": 20,
              "cfg": 7.5, "sampler_name": "euler", "scheduler": "normal", "positive": ["6", 0],
              "negative": ["7", 0], "latent_image": ["5", 0], "denoise": 1.0}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "fox"}}},
       "client_id": "sd"}
      """;

  @RegisterExtension
  FakeComfyUiExtension comfy = new FakeComfyUiExtension(
      FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(1)).samplerPreviews(true));

  @Test
  void samplerReportsConfiguredStepsWithPreviewsAndSavesTheBatch(FakeComfyUi fake) throws Exception {
    FakeHttp http = new FakeHttp(fake);
    try (WsRecorder ws = WsRecorder.connect(http.client, fake, "sd")) {
      String id = http.submit(SD);
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      List<JsonNode> progress = frames.stream().filter(f -> "progress".equals(f.type())).map(f -> f.json().get("data")).toList();
      assertThat(progress).extracting(p -> p.get("value").asInt()).containsExactly(1, 2, 3);
      assertThat(progress).allSatisfy(p -> assertThat(p.get("max").asInt()).isEqualTo(3));
      assertThat(progress).allSatisfy(p -> assertThat(p.get("node").asText()).isEqualTo("3"));
      assertThat(WsRecorder.types(frames)).filteredOn("binary:1"::equals).hasSize(3);

      JsonNode images = http.getJson("/history/" + id).get(id).get("outputs").get("9").get("images");
      assertThat(images).hasSize(2);
      byte[] png = http.getBytes("/view?filename=" + images.get(0).get("filename").asText()).body();
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
      assertThat(img.getWidth()).isEqualTo(64);
      assertThat(img.getHeight()).isEqualTo(48);
    }
  }

  @Test
  void changingTheSeedRerunsOnlyTheSamplerAndWhatFollows(FakeComfyUi fake) throws Exception {
    FakeHttp http = new FakeHttp(fake);
    try (WsRecorder ws = WsRecorder.connect(http.client, fake, "sd")) {
      String first = http.submit(SD);
      ws.untilDone(WAIT);
      ObjectNode body = (ObjectNode) Json.parse(SD);
      ((ObjectNode) body.get("prompt").get("3").get("inputs")).put("seed", 42);
      String second = http.submit(Json.write(body));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      JsonNode cached = frames.stream().filter(f -> "execution_cached".equals(f.type())).findFirst().orElseThrow()
          .json().get("data").get("nodes");
      assertThat(cached.toString()).isEqualTo("[\"4\",\"6\",\"7\",\"5\"]");
      JsonNode h = http.getJson("/history");
      String a = h.get(first).get("outputs").get("9").get("images").get(0).get("filename").asText();
      String b = h.get(second).get("outputs").get("9").get("images").get(0).get("filename").asText();
      assertThat(b).isNotEqualTo(a);
      assertThat(http.getBytes("/view?filename=" + b).body()).isNotEqualTo(http.getBytes("/view?filename=" + a).body());
    }
  }

  @Test
  void interruptTakesEffectAtTheNextSamplerStep() throws Exception {
    // A long sampler (50 steps of 100 ms) so that the interrupt surely lands while it samples.
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(50).stepDelay(Duration.ofMillis(100)).start();
         WsRecorder ws = WsRecorder.connect(new FakeHttp(fake).client, fake, "sd")) {
      FakeHttp http = new FakeHttp(fake);
      String id = http.submit(SD);
      ws.until(f -> "progress".equals(f.type()), WAIT);
      http.post("/interrupt", "");
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      JsonNode interrupted = frames.stream().filter(f -> "execution_interrupted".equals(f.type())).findFirst().orElseThrow()
          .json().get("data");
      assertThat(interrupted.get("node_id").asText()).isEqualTo("3");
      assertThat(interrupted.get("node_type").asText()).isEqualTo("KSampler");
      assertThat(frames.stream().filter(f -> "progress".equals(f.type())).count()).isLessThan(50);
      assertThat(http.getJson("/history/" + id).get(id).get("status").get("completed").asBoolean()).isFalse();
    }
  }

  @Test
  void promptWithoutClientIdBroadcastsOnlyProgress(FakeComfyUi fake) throws Exception {
    FakeHttp http = new FakeHttp(fake);
    try (WsRecorder ws = WsRecorder.connect(http.client, fake, "watcher")) {
      ObjectNode body = (ObjectNode) Json.parse(SD);
      body.remove("client_id");
      String id = http.submit(Json.write(body));
      List<WsRecorder.Frame> frames = ws.until(f -> "progress".equals(f.type()) && f.json().get("data").get("value").asInt() == 3, WAIT);
      assertThat(WsRecorder.types(frames)).doesNotContain("executing", "execution_start").contains("progress_state");
      Await.until(() -> fake.historyIds().contains(id));
    }
  }
}
