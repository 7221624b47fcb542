package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Submits the recorded requests to the fake and checks that its HTTP bodies and WebSocket
 * sequences have the shapes the real ComfyUI produced (see {@link Shapes}).
 */
class ConformanceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension();

  private FakeComfyUi fake;
  private FakeHttp http;

  @BeforeEach
  void setUp() {
    fake = comfy.get();
    http = new FakeHttp(fake);
  }

  private WsRecorder connect(String clientId) throws Exception {
    WsRecorder ws = WsRecorder.connect(http.client, fake, clientId);
    assertThat(ws.next(WAIT).type()).isEqualTo("status");
    return ws;
  }

  private static void assertSameShape(JsonNode actual, JsonNode recorded) {
    assertThat(Shapes.of(actual)).isEqualTo(Shapes.of(recorded));
  }

  private static void assertSameSequence(List<WsRecorder.Frame> frames, String recording) {
    assertThat(Shapes.collapse(WsRecorder.types(frames))).isEqualTo(Shapes.collapse(Recorded.wsTypes(recording)));
  }

  /** Every text event type of the run has the shape of the first recorded frame of that type. */
  private static void assertSameEventShapes(List<WsRecorder.Frame> frames, String recording) {
    for (WsRecorder.Frame f : frames) {
      if (f.json() != null && !"status".equals(f.type()) && !"progress_state".equals(f.type())) {
        boolean end = "executing".equals(f.type()) && f.json().get("data").get("node").isNull();
        if (!end) {
          assertSameShape(f.json(), Recorded.firstFrame(recording, f.type()));
        }
      }
    }
  }

  @Test
  void runOk03() throws Exception {
    try (WsRecorder ws = connect("XYZ")) {
      HttpResponse<String> post = http.post("/prompt", Recorded.requestBody("03_run_ok.post_prompt.json"));
      assertThat(post.statusCode()).isEqualTo(200);
      assertSameShape(Json.parse(post.body()), Recorded.responseJson("03_run_ok.post_prompt.json"));
      String id = Json.parse(post.body()).get("prompt_id").asText();

      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, "03_run_ok.ws.json");
      assertSameEventShapes(frames, "03_run_ok.ws.json");
      byte[] preview = frames.stream().filter(f -> f.bytes() != null).findFirst().orElseThrow().bytes();
      ByteBuffer b = ByteBuffer.wrap(preview);
      assertThat(b.getInt()).isEqualTo(1);
      assertThat(b.getInt()).isEqualTo(2);
      assertThat(Arrays.copyOfRange(preview, 8, 12)).containsExactly(0x89, 'P', 'N', 'G');

      assertSameShape(http.getJson("/history/" + id), Recorded.responseJson("03_get_history_prompt_id.json"));
      assertSameShape(http.getJson("/queue"), Recorded.responseJson("03_get_queue_after.json"));
      JsonNode image = http.getJson("/history/" + id).get(id).get("outputs").get("5").get("images").get(0);
      assertThat(image.get("filename").asText()).matches("jtest_\\d{5}_\\.png");
      HttpResponse<byte[]> png = http.getBytes("/view?filename=" + image.get("filename").asText() + "&type=output&subfolder=");
      assertThat(png.statusCode()).isEqualTo(200);
      assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
      assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body())).getWidth()).isEqualTo(128);
      assertThat(http.get("/view?filename=nope.png&type=output&subfolder=").statusCode())
          .isEqualTo(Recorded.status("03_get_view_missing.json"));
    }
  }

  @Test
  void identicalRerunIsCached04() throws Exception {
    try (WsRecorder ws = connect("XYZ")) {
      String first = http.submit(Recorded.requestBody("03_run_ok.post_prompt.json"));
      ws.untilDone(WAIT);
      String second = http.submit(Recorded.requestBody("04_run_same_again_cached.post_prompt.json"));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, "04_run_same_again_cached.ws.json");
      assertThat(frames.stream().filter(f -> "execution_cached".equals(f.type())).findFirst().orElseThrow()
          .json().get("data").get("nodes").toString()).isEqualTo("[\"1\",\"2\",\"3\",\"4\",\"5\"]");
      JsonNode h = http.getJson("/history");
      assertThat(h.get(second).get("outputs")).isEqualTo(h.get(first).get("outputs"));
    }
  }

  @Test
  void loadImageOfAnUpload05() throws Exception {
    HttpResponse<String> up = http.upload("jtest_upload.png", Img.png(32, 24, 5), Map.of("overwrite", "true"));
    assertThat(up.statusCode()).isEqualTo(200);
    assertSameShape(Json.parse(up.body()), Recorded.responseJson("02_post_upload_image.json"));
    try (WsRecorder ws = connect("XYZ")) {
      String id = http.submit(Recorded.requestBody("05_run_loadimage_uploaded.post_prompt.json"));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, "05_run_loadimage_uploaded.ws.json");
      JsonNode out = http.getJson("/history/" + id).get(id).get("outputs").get("3").get("images").get(0);
      byte[] png = http.getBytes("/view?filename=" + out.get("filename").asText()).body();
      assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getHeight()).isEqualTo(24);
    }
  }

  @Test
  void featureFlagsClientGetsType4Previews06() throws Exception {
    String flags = "{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}";
    try (WsRecorder ws = WsRecorder.connect(http.client, fake, "XYZ-flags", flags)) {
      assertThat(ws.next(WAIT).type()).isEqualTo("status");
      WsRecorder.Frame reply = ws.next(WAIT);
      assertSameShape(reply.json(), Recorded.firstFrame("13_ws_connect_feature_flags.ws.json", "feature_flags"));
      http.submit(Recorded.requestBody("06_run_ok_feature_flags_client.post_prompt.json"));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, "06_run_ok_feature_flags_client.ws.json");
      ByteBuffer b = ByteBuffer.wrap(frames.stream().filter(f -> f.bytes() != null).findFirst().orElseThrow().bytes());
      assertThat(b.getInt()).isEqualTo(4);
      byte[] meta = new byte[b.getInt()];
      b.get(meta);
      JsonNode recordedMeta = Recorded.file("06_run_ok_feature_flags_client.ws.json").get("frames").findValue("metadata_json");
      assertSameShape(Json.parse(new String(meta, StandardCharsets.UTF_8)), recordedMeta);
    }
  }

  static Stream<String> invalidPrompts() {
    return Transcripts.names().stream().filter(n -> n.startsWith("07_invalid_"));
  }

  @ParameterizedTest
  @MethodSource("invalidPrompts")
  void invalidPromptsAnswerLikeTheRealServer07(String recording) throws Exception {
    HttpResponse<String> r = http.post("/prompt", Recorded.requestBody(recording));
    assertThat(r.statusCode()).isEqualTo(Recorded.status(recording));
    JsonNode recorded = Recorded.responseJson(recording);
    if (recorded.isMissingNode() || recorded.isNull()) {
      assertThat(r.body()).isEqualTo(Recorded.file(recording).get("response").get("body_text").asText());
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    } else {
      assertSameShape(Json.parse(r.body()), recorded);
    }
  }

  @Test
  void executionErrorInTheFirstNode08() throws Exception {
    assertExecutionError("08_run_execution_error_alloc", "08_get_history_error.json");
  }

  @Test
  void executionErrorInALaterNode08() throws Exception {
    assertExecutionError("08_run_execution_error_mismatch", "08_get_history_error_mismatch.json");
  }

  private void assertExecutionError(String run, String history) throws Exception {
    try (WsRecorder ws = connect("XYZ")) {
      String id = http.submit(Recorded.requestBody(run + ".post_prompt.json"));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, run + ".ws.json");
      assertSameEventShapes(frames, run + ".ws.json");
      assertSameShape(http.getJson("/history/" + id), Recorded.responseJson(history));
    }
  }

  @Test
  void failAtNodeGivesTheRecordedErrorShape08() throws Exception {
    fake.failAtNode("3", "simulated failure\n");
    try (WsRecorder ws = connect("XYZ")) {
      String id = http.submit(Recorded.requestBody("08_run_execution_error_mismatch.post_prompt.json").replace("\"batch_size\": 3", "\"batch_size\": 2"));
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertSameSequence(frames, "08_run_execution_error_mismatch.ws.json");
      JsonNode error = frames.stream().filter(f -> "execution_error".equals(f.type())).findFirst().orElseThrow().json();
      assertSameShape(error, Recorded.firstFrame("08_run_execution_error_mismatch.ws.json", "execution_error"));
      assertThat(error.get("data").get("exception_message").asText()).isEqualTo("simulated failure\n");
      assertThat(error.get("data").get("node_id").asText()).isEqualTo("3");
      assertSameShape(http.getJson("/history/" + id), Recorded.responseJson("08_get_history_error_mismatch.json"));
    }
  }

  @Test
  void interruptDeleteAndClear09() throws Exception {
    fake.slowNodes(Duration.ofMillis(150));
    String slow = Recorded.requestBody("09_post_prompt_slow.json");
    try (WsRecorder ws = connect("XYZ")) {
      String running = http.submit(slow);
      ws.until(f -> "executing".equals(f.type()), WAIT);
      String deleted = http.submit(slow.replace("\"color\": 1", "\"color\": 2"));
      http.submit(slow.replace("\"color\": 1", "\"color\": 3"));
      http.submit(slow.replace("\"color\": 1", "\"color\": 4"));
      assertSameShape(http.getJson("/queue"), Recorded.responseJson("09_get_queue_running_and_pending.json"));

      HttpResponse<String> delete = http.post("/queue", "{\"delete\": [\"" + deleted + "\"]}");
      assertThat(delete.statusCode()).isEqualTo(200);
      assertThat(delete.body()).isEmpty();
      assertSameShape(http.getJson("/queue"), Recorded.responseJson("09_get_queue_after_delete.json"));
      assertThat(http.post("/queue", "{\"clear\": true}").body()).isEmpty();
      assertSameShape(http.getJson("/queue"), Recorded.responseJson("09_get_queue_after_clear.json"));

      HttpResponse<String> interrupt = http.post("/interrupt", "");
      assertThat(interrupt.statusCode()).isEqualTo(200);
      assertThat(interrupt.body()).isEmpty();
      List<String> types = WsRecorder.types(ws.untilDone(WAIT));
      assertThat(types.subList(types.size() - 3, types.size())).containsExactly("execution_interrupted", "status", "executing");
      assertSameShape(http.getJson("/history/" + running), Recorded.responseJson("09_get_history_interrupted.json"));
      assertThat(http.getJson("/history/" + deleted)).isEqualTo(Recorded.responseJson("09_get_history_deleted_pending.json"));
    }
  }

  @Test
  void targetedInterruptOnlyHitsTheRunningPrompt09b() throws Exception {
    fake.slowNodes(Duration.ofMillis(60));
    String slow = Recorded.requestBody("09_post_prompt_slow.json");
    try (WsRecorder ws = connect("XYZ")) {
      String first = http.submit(slow);
      ws.until(f -> "executing".equals(f.type()), WAIT);
      assertThat(http.post("/interrupt", Recorded.requestBody("09b_post_interrupt_other_prompt_id.json")).statusCode()).isEqualTo(200);
      ws.untilDone(WAIT);
      assertThat(http.getJson("/history/" + first).get(first).get("status").get("status_str").asText()).isEqualTo("success");

      String second = http.submit(slow.replace("\"color\": 1", "\"color\": 9"));
      ws.until(f -> "executing".equals(f.type()), WAIT);
      http.post("/interrupt", "{\"prompt_id\": \"" + second + "\"}");
      List<WsRecorder.Frame> frames = ws.untilDone(WAIT);
      assertThat(WsRecorder.types(frames)).contains("execution_interrupted");
      assertSameShape(frames.stream().filter(f -> "execution_interrupted".equals(f.type())).findFirst().orElseThrow().json(),
          Recorded.firstFrame("09b_interrupt_targeted.ws.json", "execution_interrupted"));
    }
  }

  @Test
  void historyListingLimitsAndDelete10() throws Exception {
    String body = Recorded.requestBody("14_post_api_prompt_client_prompt_id.json");
    ObjectNode template = (ObjectNode) Json.parse(body);
    template.remove("prompt_id");
    try (WsRecorder ws = connect("XYZ-pid")) {
      String[] ids = new String[3];
      for (int i = 0; i < 3; i++) {
        ((ObjectNode) template.get("prompt").get("1").get("inputs")).put("color", i);
        ids[i] = http.submit(Json.write(template));
        ws.untilDone(WAIT);
      }
      assertThat(http.getJson("/history").size()).isEqualTo(3);
      assertThat(http.getJson("/history?max_items=2").fieldNames()).toIterable().containsExactly(ids[1], ids[2]);
      assertThat(http.getJson("/history?max_items=1&offset=0").fieldNames()).toIterable().containsExactly(ids[0]);
      assertThat(http.getJson("/history/unknown")).isEqualTo(Recorded.responseJson("10_get_history_unknown_id.json"));
      HttpResponse<String> del = http.post("/history", "{\"delete\": [\"" + ids[0] + "\"]}");
      assertThat(del.statusCode()).isEqualTo(Recorded.status("10_post_history_delete.json"));
      assertThat(del.body()).isEmpty();
      assertThat(fake.historyIds()).containsExactly(ids[1], ids[2]);
      http.post("/history", "{\"clear\": true}");
      assertThat(http.getJson("/history").size()).isZero();
    }
  }

  @Test
  void otherClientsSeeOnlyStatus11() throws Exception {
    try (WsRecorder submitter = connect("XYZ");
         WsRecorder other = WsRecorder.connect(http.client, fake, "OTHER")) {
      http.submit(Recorded.requestBody("11_run_ok_seen_by_submitter.post_prompt.json"));
      assertSameSequence(submitter.untilDone(WAIT), "11_run_ok_seen_by_submitter.ws.json");
      List<WsRecorder.Frame> seen = other.until(f -> "status".equals(f.type()) && !f.json().get("data").has("sid")
          && f.json().get("data").get("status").get("exec_info").get("queue_remaining").asInt() == 0, WAIT);
      assertThat(WsRecorder.types(seen)).isEqualTo(Recorded.wsTypes("11_run_ok_seen_by_other_client.ws.json"));
      fake.emit(null, "{\"type\":\"marker\",\"data\":{}}");
      assertThat(other.next(WAIT).type()).isEqualTo("marker");
    }
  }

  @Test
  void connectHandshakes13() throws Exception {
    try (WsRecorder plain = WsRecorder.connect(http.client, fake, "XYZ-connect")) {
      JsonNode first = plain.next(WAIT).json();
      assertSameShape(first, Recorded.firstFrame("13_ws_connect_plain.ws.json", "status"));
      assertThat(first.get("data").get("sid").asText()).isEqualTo("XYZ-connect");
    }
    try (WsRecorder anonymous = WsRecorder.connect(http.client, fake, null)) {
      assertThat(anonymous.next(WAIT).json().get("data").get("sid").asText()).matches("[0-9a-f]{32}");
    }
    String flags = "{\"type\": \"feature_flags\", \"data\": {\"supports_preview_metadata\": true}}";
    try (WsRecorder late = WsRecorder.connect(http.client, fake, "XYZ-ff2", "{\"type\": \"hello\"}")) {
      late.ws.sendText(flags, true).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(late.next(WAIT).type()).isEqualTo("status");
      fake.emit("XYZ-ff2", "{\"type\":\"marker\",\"data\":{}}");
      assertThat(late.next(WAIT).type()).isEqualTo("marker"); // no feature_flags reply came before it
    }
  }

  @Test
  void clientChosenPromptIdAndDuplicates14() throws Exception {
    String body = Recorded.requestBody("14_post_api_prompt_client_prompt_id.json");
    String id = Json.parse(body).get("prompt_id").asText();
    try (WsRecorder ws = connect("XYZ-pid")) {
      HttpResponse<String> post = http.post("/api/prompt", body);
      assertSameShape(Json.parse(post.body()), Recorded.responseJson("14_post_api_prompt_client_prompt_id.json"));
      assertThat(Json.parse(post.body()).get("prompt_id").asText()).isEqualTo(id);
      assertSameSequence(ws.untilDone(WAIT), "14_run_previewimage_client_prompt_id.ws.json");
      assertSameShape(http.getJson("/api/history/" + id), Recorded.responseJson("14_get_history_client_prompt_id.json"));
      assertThat(http.getJson("/history/" + id).get(id).get("outputs").get("2").get("images").get(0).get("type").asText())
          .isEqualTo("temp");

      HttpResponse<String> again = http.post("/prompt", body);
      assertThat(again.statusCode()).isEqualTo(Recorded.status("14_post_prompt_duplicate_prompt_id.json"));
      assertThat(ws.untilDone(WAIT).get(0).type()).isEqualTo("status");
      assertThat(fake.historyIds()).containsExactly(id);
    }
  }

  @Test
  void reconnectDuringExecutionAnnouncesTheNode15() throws Exception {
    fake.slowNodes(Duration.ofMillis(300));
    JsonNode recorded = Recorded.file("15_ws_reconnect_during_execution.ws.json").get("frames_second_connection");
    String body = Recorded.requestBody("09_post_prompt_slow.json").replace("\"XYZ\"", "\"XYZ-rc\"");
    String id;
    try (WsRecorder first = connect("XYZ-rc")) {
      id = http.submit(body);
      first.until(f -> "executing".equals(f.type()), WAIT);
    }
    Await.until(() -> !fake.connectedClientIds().contains("XYZ-rc"));
    try (WsRecorder second = WsRecorder.connect(http.client, fake, "XYZ-rc")) {
      JsonNode status = second.next(WAIT).json();
      JsonNode executing = second.next(WAIT).json();
      assertSameShape(status, recorded.get(0).get("json"));
      assertSameShape(executing, recorded.get(1).get("json"));
      http.post("/interrupt", "{\"prompt_id\": \"" + id + "\"}");
      List<String> rest = WsRecorder.types(second.untilDone(WAIT));
      assertThat(rest).endsWith("execution_interrupted", "status", "executing");
    }
  }
}
