package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeComfyUiSmokeTest {
  private FakeComfyUi fake;
  private FakeHttp http;

  @BeforeEach
  void start() {
    fake = FakeComfyUi.builder().start();
    http = new FakeHttp(fake);
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  @Test
  void runsTheRecordedGraphAndServesItsOutput() throws Exception {
    String body = Json.parse(Transcripts.text("03_run_ok.post_prompt.json")).get("request").get("body_text").asText();
    try (WsRecorder ws = WsRecorder.connect(http.client, fake, "XYZ")) {
      assertThat(ws.next(Duration.ofSeconds(5)).json().get("data").get("sid").asText()).isEqualTo("XYZ");
      String id = http.submit(body);
      List<WsRecorder.Frame> frames = ws.untilDone(Duration.ofSeconds(10));
      JsonNode history = http.getJson("/history/" + id).get(id);
      assertThat(history.get("status").get("status_str").asText()).isEqualTo("success");
      String file = history.get("outputs").get("5").get("images").get(0).get("filename").asText();
      HttpResponse<byte[]> png = http.getBytes("/view?filename=" + file + "&type=output&subfolder=");
      assertThat(png.statusCode()).isEqualTo(200);
      assertThat(png.body()).startsWith(0x89, 'P', 'N', 'G');
    }
  }
}
