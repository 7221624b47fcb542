package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each fault knob, against real sockets. */
class FaultKnobsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TINY = "{\"prompt\": {\"1\": {\"class_type\": \"EmptyImage\", \"inputs\": {\"width\": 8, "
      + "\"height\": 8, \"batch_size\": 1, \"color\": COLOR}}, \"2\": {\"class_type\": \"SaveImage\", \"inputs\": "
      + "{\"images\": [\"1\", 0], \"filename_prefix\": \"knob\"}}}, \"client_id\": \"K\"}";

  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension();

  private FakeComfyUi fake;
  private FakeHttp http;

  @BeforeEach
  void setUp() {
    fake = comfy.get();
    http = new FakeHttp(fake);
  }

  private static String tiny(int color) {
    return TINY.replace("COLOR", String.valueOf(color));
  }

  private WsRecorder connect(String id) throws Exception {
    WsRecorder ws = WsRecorder.connect(http.client, fake, id);
    assertThat(ws.next(WAIT).type()).isEqualTo("status");
    return ws;
  }

  @Test
  void stopRefusesConnectionsAndRestartComesBackEmptyOnTheSamePort() throws Exception {
    try (WsRecorder ws = connect("K")) {
      http.submit(tiny(1));
      ws.untilDone(WAIT);
    }
    assertThat(fake.historyIds()).hasSize(1);
    int port = fake.port();
    fake.stop();
    assertThat(fake.isRunning()).isFalse();
    assertThatThrownBy(() -> http.get("/queue")).isInstanceOf(ConnectException.class);
    fake.restart();
    assertThat(fake.port()).isEqualTo(port);
    assertThat(http.get("/queue").statusCode()).isEqualTo(200);
    assertThat(http.getJson("/history").size()).isZero();
  }

  @Test
  void restartAbandonsTheRunningPromptSilently() throws Exception {
    fake.slowNodes(Duration.ofMillis(200));
    try (WsRecorder ws = connect("K")) {
      http.submit(tiny(2));
      ws.until(f -> "executing".equals(f.type()), WAIT);
      fake.restart();
      assertThat(fake.connectedClientIds()).isEmpty();
    }
    assertThat(fake.queueRunningCount()).isZero();
    assertThat(fake.historyIds()).isEmpty();
  }

  @Test
  void hangFreezesTheWorkerUntilReleased() throws Exception {
    try (WsRecorder ws = connect("K")) {
      fake.hang(true);
      String id = http.submit(tiny(3));
      Await.until(() -> fake.queueRunningCount() == 1);
      ws.until(f -> "status".equals(f.type()), WAIT); // the enqueue status is sent by the HTTP handler
      fake.emit("K", "{\"type\":\"marker\",\"data\":{}}");
      assertThat(ws.next(WAIT).type()).isEqualTo("marker"); // nothing from the frozen worker came first
      assertThat(http.getJson("/history/" + id).size()).isZero();
      assertThat(fake.queueRunningCount()).isEqualTo(1);
      fake.hang(false);
      ws.untilDone(WAIT);
      assertThat(fake.historyIds()).containsExactly(id);
    }
  }

  @Test
  void mutedSocketsReceiveNothingWhileHttpStillAnswers() throws Exception {
    try (WsRecorder ws = connect("K")) {
      fake.muteWebSockets(true);
      String id = http.submit(tiny(4));
      Await.until(() -> fake.historyIds().contains(id));
      fake.muteWebSockets(false);
      fake.emit("K", "{\"type\":\"marker\",\"data\":{}}");
      // Nothing of the prompt came through; a queue "status" sent just after the unmute may.
      List<WsRecorder.Frame> frames = ws.until(f -> "marker".equals(f.type()), WAIT);
      assertThat(WsRecorder.types(frames.subList(0, frames.size() - 1))).allMatch("status"::equals);
      assertThat(ws.closed).isFalse();
    }
  }

  @Test
  void dropEndsEveryConnection() throws Exception {
    try (WsRecorder a = connect("A"); WsRecorder b = connect("B")) {
      assertThat(fake.connectedClientIds()).containsExactlyInAnyOrder("A", "B");
      fake.dropWebSockets();
      Await.until(() -> a.closed && b.closed);
      assertThat(fake.connectedClientIds()).isEmpty();
    }
  }

  @Test
  void httpDelayExceedsAClientReadTimeout() throws Exception {
    fake.httpDelay(Duration.ofMillis(1500));
    HttpRequest req = HttpRequest.newBuilder(http.uri("/queue")).timeout(Duration.ofMillis(200)).build();
    assertThatThrownBy(() -> http.client.send(req, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    fake.httpDelay(Duration.ZERO);
    assertThat(http.get("/queue").statusCode()).isEqualTo(200);
  }

  @Test
  void httpFailureAnswersEveryRouteWithPlainText() throws Exception {
    fake.httpFailure(500);
    HttpResponse<String> r = http.post("/prompt", tiny(5));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("500 Internal Server Error\n\nServer got itself in trouble");
    assertThat(fake.queuePendingCount() + fake.queueRunningCount()).isZero();
    fake.httpFailure(503);
    assertThat(http.get("/api/system_stats").body()).isEqualTo("503: Service Unavailable");
    fake.clearFaults();
    assertThat(http.get("/system_stats").statusCode()).isEqualTo(200);
  }

  @Test
  void failAtNodeStopsOnlyPromptsContainingThatNode() throws Exception {
    fake.failAtNode("2", "disk full");
    try (WsRecorder ws = connect("K")) {
      String id = http.submit(tiny(6));
      List<String> types = WsRecorder.types(ws.untilDone(WAIT));
      assertThat(types).contains("execution_error").doesNotContain("execution_success");
      assertThat(http.getJson("/history/" + id).get(id).get("status").get("status_str").asText()).isEqualTo("error");
      String other = http.submit(tiny(7).replace("\"2\"", "\"9\""));
      assertThat(WsRecorder.types(ws.untilDone(WAIT))).contains("execution_success");
      assertThat(fake.historyIds()).contains(other);
    }
  }

  @Test
  void emitPushesRawFramesToOneClientOrAll() throws Exception {
    try (WsRecorder a = connect("A"); WsRecorder b = connect("B")) {
      fake.emit("A", "{\"type\":\"only_a\",\"data\":{}}");
      fake.emitBinary(null, new byte[] {0, 0, 0, 3, 1, 2});
      assertThat(a.next(WAIT).type()).isEqualTo("only_a");
      assertThat(a.next(WAIT).type()).isEqualTo("binary:3");
      WsRecorder.Frame binary = b.next(WAIT);
      assertThat(binary.bytes()).containsExactly(0, 0, 0, 3, 1, 2);
      assertThat(ByteBuffer.wrap(binary.bytes()).getInt()).isEqualTo(3);
    }
  }

  @Test
  void sameIdReconnectBugLeavesTheNewSocketDeaf() throws Exception {
    fake.sameIdReconnectBug(true);
    WsRecorder old = connect("R");
    try (WsRecorder fresh = connect("R")) {
      old.ws.sendClose(1000, "bye").get(5, java.util.concurrent.TimeUnit.SECONDS);
      Await.until(() -> !fake.connectedClientIds().contains("R"));
      assertThat(fake.connectedClientIds()).doesNotContain("R");
    } finally {
      old.close();
    }
  }

  @Test
  void withoutTheBugAnOldSocketClosingKeepsTheNewOne() throws Exception {
    WsRecorder old = connect("R2");
    try (WsRecorder fresh = connect("R2")) {
      old.ws.sendClose(1000, "bye").get(5, java.util.concurrent.TimeUnit.SECONDS);
      Await.until(() -> old.closed);
      fake.emit("R2", "{\"type\":\"marker\",\"data\":{}}");
      assertThat(fresh.next(WAIT).type()).isEqualTo("marker");
    } finally {
      old.close();
    }
  }

  @Test
  void takeRequestReturnsWhatTheClientSent() throws Exception {
    http.post("/api/interrupt", "{\"prompt_id\": \"x\"}");
    RecordedRequest r = fake.takeRequest(WAIT);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/api/interrupt");
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.body()).isEqualTo("{\"prompt_id\": \"x\"}");
    http.get("/history?max_items=2");
    assertThat(fake.takeRequest(WAIT).query()).isEqualTo("max_items=2");
    assertThat(fake.takeRequest(Duration.ofMillis(50))).isNull();
    assertThat(fake.requests()).hasSize(2);
  }

  @Test
  void originFromAnotherHostIsForbidden() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(http.uri("/queue")).timeout(WAIT)
        .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEmpty();
    HttpResponse<String> same = client.send(HttpRequest.newBuilder(http.uri("/queue")).timeout(WAIT)
        .header("Origin", "http://127.0.0.1:" + fake.port()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(same.statusCode()).isEqualTo(200);
  }
}
