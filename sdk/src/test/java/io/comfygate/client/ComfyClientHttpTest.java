package io.comfygate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.comfygate.errors.ComfyForbiddenException;
import io.comfygate.errors.ComfyNotFoundException;
import io.comfygate.errors.ComfyPayloadTooLargeException;
import io.comfygate.errors.ComfyServerErrorException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.errors.ComfyValidationException;
import io.comfygate.internal.json.Json;
import io.comfygate.testkit.Transcripts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP behaviour over a real loopback socket with scripted answers, for the shapes and faults that
 * are easiest to script exactly (the FakeComfyUi tests cover the protocol end to end).
 */
class ComfyClientHttpTest {
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, byte[]> received = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private ComfyClient client;

  private interface Answer {
    void handle(HttpExchange ex) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", ex -> {
      received.put(ex.getRequestMethod() + " " + ex.getRequestURI(), ex.getRequestBody().readAllBytes());
      Answer a = answers.getOrDefault(ex.getRequestURI().getPath(), e -> reply(e, 404, "404: Not Found"));
      try {
        a.handle(ex);
      } finally {
        ex.close();
      }
    });
    server.start();
    client = ComfyClient.builder().baseUrl("127.0.0.1:" + server.getAddress().getPort())
        .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofMillis(500)).build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String recorded(String name) throws IOException {
    return Json.MAPPER.readTree(Transcripts.text(name)).get("response").get("body_text").asText();
  }

  private static ObjectNode workflow() throws IOException {
    return (ObjectNode) Json.MAPPER.readTree(
        Json.MAPPER.readTree(Transcripts.text("03_run_ok.post_prompt.json")).get("request").get("body_text").asText()).get("prompt");
  }

  @Test
  void submitSendsClientChosenIdsAndReadsTheAnswer() throws Exception {
    answers.put("/prompt", ex -> reply(ex, 200, "{\"prompt_id\":\"p-1\",\"number\":4,\"node_errors\":{}}"));
    PromptAccepted ok = client.queuePrompt(PromptRequest.builder(workflow()).promptId("p-1").clientId("c-1").front(true).build());
    assertThat(ok.promptId()).isEqualTo("p-1");
    assertThat(ok.number()).isEqualTo(4);
    var sent = Json.MAPPER.readTree(received.get("POST /prompt"));
    assertThat(sent.get("prompt_id").asText()).isEqualTo("p-1");
    assertThat(sent.get("client_id").asText()).isEqualTo("c-1");
    assertThat(sent.get("front").asBoolean()).isTrue();
    assertThat(sent.get("prompt").has("1")).isTrue();
  }

  @Test
  void statusesMapToTypedExceptionsNamingServerAndCall() throws Exception {
    String invalid = recorded("07_invalid_missing_required_input.json");
    answers.put("/prompt", ex -> reply(ex, 400, invalid));
    assertThatThrownBy(() -> client.queuePrompt(PromptRequest.builder(workflow()).build()))
        .isInstanceOfSatisfying(ComfyValidationException.class, v -> {
          assertThat(v.nodeErrors()).containsKey("1");
          assertThat(v.getMessage()).contains(client.baseUrl().toString(), "POST /prompt", "width");
        });

    answers.put("/prompt", ex -> reply(ex, 500, "500 Internal Server Error\n\nServer got itself in trouble"));
    assertThatThrownBy(() -> client.queuePrompt(PromptRequest.builder(workflow()).build()))
        .isInstanceOf(ComfyServerErrorException.class).hasMessageContaining("Server got itself in trouble");

    answers.put("/prompt", ex -> reply(ex, 413, "Maximum request body size 1 exceeded, actual body size 2"));
    assertThatThrownBy(() -> client.queuePrompt(PromptRequest.builder(workflow()).build()))
        .isInstanceOf(ComfyPayloadTooLargeException.class).hasMessageContaining("--max-upload-size");

    answers.put("/queue", ex -> reply(ex, 403, ""));
    assertThatThrownBy(client::queue).isInstanceOf(ComfyForbiddenException.class).hasMessageContaining("Origin");

    assertThat(client.features()).isEmpty();
    assertThatThrownBy(() -> client.download(new OutputFile("9", "x.png", "", "output"), Path.of("unused")))
        .isInstanceOf(ComfyNotFoundException.class);
  }

  @Test
  void slowAndHangingAnswersHitTheDeadline() {
    answers.put("/queue", ex -> {
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThatThrownBy(client::queue).isInstanceOfSatisfying(ComfyTimeoutException.class, t -> {
      assertThat(t.deadline()).isEqualTo(Duration.ofMillis(500));
      assertThat(t.getMessage()).contains("GET /queue", "PT0.5S");
    });
  }

  @Test
  void refusedConnectionIsUnavailable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (ComfyClient down = ComfyClient.builder().baseUrl("http://127.0.0.1:" + port).build()) {
      assertThatThrownBy(down::systemStats).isInstanceOf(ComfyUnavailableException.class)
          .hasMessageContaining("is not reachable").hasMessageContaining("GET /system_stats");
    }
  }

  @Test
  void downloadStreamsToTheTargetAtomically(@TempDir Path dir) throws Exception {
    byte[] png = new byte[300_000];
    png[0] = (byte) 0x89;
    answers.put("/view", ex -> {
      ex.sendResponseHeaders(200, png.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(png);
      }
    });
    Path target = dir.resolve("out/a.png");
    long n = client.download(new OutputFile("9", "a b.png", "sub", "temp"), target);
    assertThat(n).isEqualTo(png.length);
    assertThat(Files.readAllBytes(target)).isEqualTo(png);
    try (var files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
    assertThat(received.keySet()).anySatisfy(k -> assertThat(k).contains("filename=a%20b.png", "type=temp", "subfolder=sub"));
  }

  @Test
  void uploadSendsMultipartFields(@TempDir Path dir) throws Exception {
    answers.put("/upload/image", ex -> reply(ex, 200, "{\"name\":\"cat (1).png\",\"subfolder\":\"pets\",\"type\":\"input\"}"));
    Path file = Files.write(dir.resolve("cat.png"), new byte[] {1, 2, 3});
    UploadedImage up = client.uploadImage(file, false, "pets", null);
    assertThat(up).isEqualTo(new UploadedImage("cat (1).png", "pets", "input"));
    String body = new String(received.get("POST /upload/image"), StandardCharsets.ISO_8859_1);
    assertThat(body).contains("name=\"image\"; filename=\"cat.png\"", "name=\"overwrite\"\r\n\r\nfalse",
        "name=\"subfolder\"\r\n\r\npets", "name=\"type\"\r\n\r\ninput", "\u0001\u0002\u0003");
  }

  @Test
  void historyQueueAndInterruptRequests() throws Exception {
    answers.put("/history", ex -> reply(ex, 200, recorded("10_get_history_max_items_2.json")));
    answers.put("/queue", ex -> reply(ex, 200, ""));
    answers.put("/interrupt", ex -> reply(ex, 200, ""));
    assertThat(client.history(2, 5)).hasSize(2);
    client.deleteFromQueue(List.of("a", "b"));
    client.interrupt("p-9");
    client.interruptAll();
    assertThat(received).containsKey("GET /history?max_items=2&offset=5");
    assertThat(Json.MAPPER.readTree(received.get("POST /queue")).get("delete")).hasSize(2);
    assertThat(new String(received.get("POST /interrupt"), StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> ComfyClient.builder().readTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("readTimeout must be > 0: PT0S");
    assertThatThrownBy(() -> ComfyClient.builder().baseUrl("ftp://x:1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://x:1");
    assertThatThrownBy(() -> ComfyClient.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> ComfyClient.builder().baseUrl("h:1").reconnectBackoffMin(Duration.ofSeconds(9))
        .reconnectBackoffMax(Duration.ofSeconds(1)).build()).isInstanceOf(IllegalStateException.class);
    try (ComfyClient c = ComfyClient.builder().baseUrl("https://example.test:8443/comfy/").build();
         ComfyClient d = c.newBuilder().build()) {
      assertThat(c.baseUrl()).hasToString("https://example.test:8443/comfy");
      assertThat(d.baseUrl()).isEqualTo(c.baseUrl());
    }
  }
}
