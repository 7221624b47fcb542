package io.comfygate.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.internal.json.Json;
import io.comfygate.testkit.Await;
import io.comfygate.testkit.FakeComfyUi;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Workflows, client settings and bounded waits shared by the client tests against FakeComfyUi. */
final class FakeRuns {
  static final Duration WAIT = Duration.ofSeconds(10);

  private FakeRuns() {}

  /** A client with timings short enough that fallbacks (polls, reconnects) happen within a test. */
  static ComfyClient.Builder clientFor(FakeComfyUi fake) {
    return ComfyClient.builder().baseUrl(fake.baseUrl().toString())
        .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2))
        .wsConnectTimeout(Duration.ofSeconds(2)).wsIdleTimeout(Duration.ofSeconds(5))
        .historyPollInterval(Duration.ofMillis(100)).safetyPollInterval(Duration.ofSeconds(1))
        .reconnectBackoffMin(Duration.ofMillis(50)).reconnectBackoffMax(Duration.ofMillis(200))
        .closeTimeout(Duration.ofSeconds(2));
  }

  /**
   * EmptyImage, {@code inverts} ImageInverts, SaveImage: every node lacks progress steps, so each
   * takes the fake's {@code slowNodes} delay. {@code color} varies the prompt to avoid the cache.
   */
  static ObjectNode imageChain(String prefix, int color, int inverts) {
    ObjectNode w = Json.MAPPER.createObjectNode();
    w.putObject("1").put("class_type", "EmptyImage").putObject("inputs")
        .put("width", 32).put("height", 32).put("batch_size", 1).put("color", color);
    String last = "1";
    for (int i = 0; i < inverts; i++) {
      String id = String.valueOf(10 + i);
      link(w.putObject(id).put("class_type", "ImageInvert").putObject("inputs"), "image", last);
      last = id;
    }
    ObjectNode save = w.putObject("9").put("class_type", "SaveImage").putObject("inputs");
    save.put("filename_prefix", prefix);
    link(save, "images", last);
    return w;
  }

  /** A quick two-node prompt (EmptyImage, SaveImage). */
  static ObjectNode image(String prefix, int color) {
    return imageChain(prefix, color, 0);
  }

  /** A text-to-image graph whose KSampler (node 3) reports the fake's steps, with previews if enabled. */
  static ObjectNode sampler(long seed) {
    ObjectNode w = Json.MAPPER.createObjectNode();
    w.putObject("4").put("class_type", "CheckpointLoaderSimple").putObject("inputs")
        .put("ckpt_name", "sd15-fake.safetensors");
    link(w.putObject("6").put("class_type", "CLIPTextEncode").putObject("inputs").put("text", "a red fox"), "clip", "4", 1);
    link(w.putObject("7").put("class_type", "CLIPTextEncode").putObject("inputs").put("text", "blurry"), "clip", "4", 1);
    w.putObject("5").put("class_type", "EmptyLatentImage").putObject("inputs")
        .put("width", 64).put("height", 48).put("batch_size", 1);
    ObjectNode k = w.putObject("3").put("class_type", "KSampler").putObject("inputs")
        .put("seed", seed).put("steps", 20).put("cfg", 7.5).put("sampler_name", "euler")
        .put("scheduler", "normal").put("denoise", 1.0);
    link(k, "model", "4");
    link(k, "positive", "6");
    link(k, "negative", "7");
    link(k, "latent_image", "5");
    ObjectNode decode = w.putObject("8").put("class_type", "VAEDecode").putObject("inputs");
    link(decode, "samples", "3");
    link(decode, "vae", "4", 2);
    link(w.putObject("9").put("class_type", "SaveImage").putObject("inputs").put("filename_prefix", "fox"), "images", "8");
    return w;
  }

  /** LoadImage of an uploaded {@code name}, inverted and saved. */
  static ObjectNode loadImage(String name) {
    ObjectNode w = Json.MAPPER.createObjectNode();
    w.putObject("1").put("class_type", "LoadImage").putObject("inputs").put("image", name);
    link(w.putObject("2").put("class_type", "ImageInvert").putObject("inputs"), "image", "1");
    link(w.putObject("9").put("class_type", "SaveImage").putObject("inputs").put("filename_prefix", "loaded"), "images", "2");
    return w;
  }

  static PromptRequest request(ObjectNode workflow) {
    return PromptRequest.builder(workflow).build();
  }

  private static void link(ObjectNode inputs, String name, String from) {
    link(inputs, name, from, 0);
  }

  private static void link(ObjectNode inputs, String name, String from, int slot) {
    ArrayNode l = inputs.putArray(name);
    l.add(from).add(slot);
  }

  /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
  static void waitUntil(String what, BooleanSupplier condition) {
    waitUntil(what, WAIT, condition);
  }

  static void waitUntil(String what, Duration limit, BooleanSupplier condition) {
    Await.until(what, limit, condition);
  }
}
