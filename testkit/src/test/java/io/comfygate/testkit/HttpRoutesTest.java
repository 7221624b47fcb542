package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routes and checks beyond the recorded workflows: validation, priority, uploads, /view, info. */
class HttpRoutesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension(FakeComfyUi.builder().maxUploadSize(64 * 1024));

  private FakeComfyUi fake;
  private FakeHttp http;

  @BeforeEach
  void setUp() {
    fake = comfy.get();
    http = new FakeHttp(fake);
  }

  private JsonNode firstNodeError(String body) throws Exception {
    HttpResponse<String> r = http.post("/prompt", body);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode errors = Json.parse(r.body()).get("node_errors");
    return errors.elements().next().get("errors").get(0);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"steps\": 20|\"steps\": 0|value_smaller_than_min",
      "\"model\": [\"4\", 0]|\"model\": [\"4\", 1]|return_type_mismatch",
      "\"model\": [\"4\", 0]|\"model\": [\"4\"]|bad_linked_input",
      "\"sd15-fake.safetensors\"|\"nope.safetensors\"|value_not_in_list",
      "\"cfg\": 7.5|\"cfg\": \"lots\"|invalid_input_type",
      "\"denoise\": 1.0|\"denoise\": 1.5|value_bigger_than_max"})
  void samplerGraphValidation(String from, String to, String type) throws Exception {
    JsonNode error = firstNodeError(SamplerWorkflowTest.SD.replace(from, to));
    assertThat(error.get("type").asText()).isEqualTo(type);
    assertThat(error.get("extra_info").has("input_name")).isTrue();
  }

  @Test
  void convertsLiteralsInPlaceLikeTheRealServer() throws Exception {
    fake.hang(true);
    http.submit(SamplerWorkflowTest.SD.replace("\"steps\": 20", "\"steps\": \"20\"").replace("\"cfg\": 7.5", "\"cfg\": 7"));
    JsonNode inputs = http.getJson("/queue").get("queue_running").get(0).get(2).get("3").get("inputs");
    assertThat(inputs.get("steps").isIntegralNumber()).isTrue();
    assertThat(inputs.get("cfg").isFloatingPointNumber()).isTrue();
  }

  @Test
  void frontAndNumberSetThePriority() throws Exception {
    String tiny = Recorded.requestBody("14_post_api_prompt_client_prompt_id.json").replaceAll("\"prompt_id\": \"[^\"]+\", ", "");
    fake.hang(true);
    String a = http.submit(tiny.replace("4242", "1"));
    // The worker takes the first prompt and freezes with it running; the rest wait in the queue.
    Await.until(() -> fake.queueRunningCount() == 1);
    String b = http.submit(tiny.replace("4242", "2"));
    ObjectNode front = (ObjectNode) Json.parse(tiny.replace("4242", "3"));
    front.put("front", true);
    HttpResponse<String> c = http.post("/prompt", Json.write(front));
    assertThat(Json.parse(c.body()).get("number").asInt()).isNegative();
    ObjectNode numbered = (ObjectNode) Json.parse(tiny.replace("4242", "4"));
    numbered.put("number", 1000);
    HttpResponse<String> d = http.post("/prompt", Json.write(numbered));
    assertThat(Json.parse(d.body()).get("number").isFloatingPointNumber()).isTrue();
    fake.hang(false);
    Await.until(() -> fake.historyIds().size() == 4);
    assertThat(fake.historyIds()).containsExactly(a, Json.parse(c.body()).get("prompt_id").asText(), b,
        Json.parse(d.body()).get("prompt_id").asText());
  }

  @Test
  void uploadsRenameReuseAndCheckPaths() throws Exception {
    byte[] one = Img.png(4, 4, 1);
    byte[] two = Img.png(4, 4, 2);
    assertThat(Json.parse(http.upload("u.png", one, Map.of()).body()).get("name").asText()).isEqualTo("u.png");
    assertThat(Json.parse(http.upload("u.png", one, Map.of()).body()).get("name").asText()).isEqualTo("u.png");
    assertThat(Json.parse(http.upload("u.png", two, Map.of()).body()).get("name").asText()).isEqualTo("u (1).png");
    assertThat(Json.parse(http.upload("u.png", two, Map.of("overwrite", "1")).body()).get("name").asText()).isEqualTo("u.png");
    JsonNode sub = Json.parse(http.upload("u.png", one, Map.of("subfolder", "jclient")).body());
    assertSameShape(sub, Recorded.responseJson("02_post_upload_image_subfolder.json"));
    assertThat(sub.get("subfolder").asText()).isEqualTo("jclient");

    HttpResponse<String> missing = http.upload(null, null, Map.of("overwrite", "true"));
    assertThat(missing.statusCode()).isEqualTo(Recorded.status("02_post_upload_image_missing_file.json"));
    assertThat(missing.body()).isEmpty();
    assertThat(http.upload("x.png", one, Map.of("subfolder", "../..")).statusCode()).isEqualTo(400);
    assertThat(http.upload("x.png", one, Map.of("type", "weird")).statusCode()).isEqualTo(500);
    assertThat(http.getJson("/object_info/LoadImage").get("LoadImage").get("input").get("required").get("image").get(0).toString())
        .isEqualTo("[\"u (1).png\",\"u.png\"]");
    assertThat(http.getBytes("/view?filename=u.png&type=input&subfolder=jclient").body()).isEqualTo(one);
    assertThat(http.getBytes("/view?filename=u.png%20%5Binput%5D").body()).isEqualTo(two);
  }

  @ParameterizedTest
  @CsvSource({"/view?filename=,400", "/view?filename=/etc/passwd,400", "/view?filename=a..b,400",
      "/view?filename=x.png&type=secret,400", "/view?filename=x.png&subfolder=../..,403", "/view?filename=x.png,404",
      "/view,404"})
  void viewPathChecks(String path, int status) throws Exception {
    assertThat(http.get(path).statusCode()).isEqualTo(status);
  }

  @Test
  void bodiesOverTheUploadLimitGet413Text() throws Exception {
    HttpResponse<String> r = http.post("/prompt", "{\"prompt\": \"" + "x".repeat(70 * 1024) + "\"}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).startsWith("Maximum request body size 65536 exceeded");
  }

  @Test
  void infoRoutesHaveTheRecordedShapes() throws Exception {
    for (String cls : new String[] {"EmptyImage", "ImageScale", "SaveImage", "SaveImageWebsocket"}) {
      assertSameShape(http.getJson("/object_info/" + cls), Recorded.responseJson("01_get_object_info_" + cls + ".json"));
    }
    assertThat(http.getJson("/object_info").fieldNames()).toIterable().contains("CheckpointLoaderSimple", "CLIPTextEncode",
        "EmptyLatentImage", "KSampler", "VAEDecode", "SaveImage", "PreviewImage", "SaveImageWebsocket", "EmptyImage",
        "ImageBlur", "ImageInvert", "ImageScale", "LoadImage");
    assertThat(http.getJson("/object_info/NoSuch")).isEqualTo(Recorded.responseJson("01_get_object_info_unknown.json"));
    assertSameShape(http.getJson("/api/features"), Recorded.responseJson("01_get_api_features.json"));
    assertThat(http.getJson("/embeddings")).isEqualTo(Recorded.responseJson("01_get_embeddings.json"));
    assertThat(http.getJson("/prompt")).isEqualTo(Recorded.responseJson("01_get_prompt.json"));
    assertThat(http.getJson("/api/queue")).isEqualTo(Recorded.responseJson("01_get_api_queue.json"));

    ObjectNode stats = (ObjectNode) http.getJson("/system_stats");
    assertThat(stats.get("devices").get(0).get("name").asText()).isEqualTo("FakeComfyUi (simulated, no GPU)");
    assertThat(((ObjectNode) stats.get("system")).remove("comfygate_simulated").asBoolean()).isTrue();
    assertSameShape(stats, Recorded.responseJson("01_get_system_stats.json"));

    assertThat(http.get("/nope").statusCode()).isEqualTo(404);
    assertThat(http.post("/system_stats", "{}").statusCode()).isEqualTo(405);
  }

  private static void assertSameShape(JsonNode actual, JsonNode recorded) {
    assertThat(Shapes.of(actual)).isEqualTo(Shapes.of(recorded));
  }
}
