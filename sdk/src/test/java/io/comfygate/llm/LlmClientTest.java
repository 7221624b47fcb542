package io.comfygate.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.errors.LlmException;
import io.comfygate.testkit.llm.FakeOpenAi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmClientTest {
  private static final String KEY = "sk-test-secret-4711";

  private final FakeOpenAi fake = FakeOpenAi.start(KEY);
  private LlmClient client = clientFor(fake, KEY, Duration.ofSeconds(5));

  @AfterEach
  void tearDown() {
    client.close();
    fake.close();
  }

  private static LlmClient clientFor(FakeOpenAi server, String key, Duration timeout) {
    LlmClient.Builder b = LlmClient.builder().baseUrl(server.baseUrl().toString()).model("sd-helper").timeout(timeout);
    if (key != null) {
      b.apiKey(key);
    }
    return b.build();
  }

  @Test
  void chatPostsAnOpenAiRequestWithTheBearerKeyAndReturnsTheAssistantText() throws Exception {
    String answer = client.chat(List.of(Message.system("be brief"), Message.user("a cat")));

    assertThat(answer).isEqualTo("fake reply to: a cat");
    FakeOpenAi.Request request = fake.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
    JsonNode body = new ObjectMapper().readTree(request.body());
    assertThat(body.path("model").asText()).isEqualTo("sd-helper");
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("a cat");
    assertThat(body.path("temperature").isNumber()).isTrue();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(200);
  }

  @Test
  void baseUrlMayNameTheV1RootOrTheBareRoot() {
    fake.reply("ok");
    try (LlmClient withV1 = LlmClient.builder().baseUrl(fake.baseUrl() + "/v1/").model("m").apiKey(KEY).build()) {
      assertThat(withV1.chat(List.of(Message.user("x")))).isEqualTo("ok");
    }
    assertThat(fake.requests()).extracting(FakeOpenAi.Request::path).containsExactly("/v1/chat/completions");
  }

  @Test
  void theKeyNeverShowsInToStringOrErrorsOrLogs() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Throwable error;
    try (FakeOpenAi otherKey = FakeOpenAi.start("sk-other");
        LlmClient wrongKey = clientFor(otherKey, KEY, Duration.ofSeconds(5))) {
      error = org.assertj.core.api.Assertions.catchThrowable(() -> wrongKey.chat(List.of(Message.user("x"))));
      assertThat(wrongKey.toString()).doesNotContain(KEY).contains("***");
    } finally {
      System.setErr(original);
    }
    assertThat(error).isInstanceOf(LlmException.class);
    assertThat(error.getMessage()).doesNotContain(KEY);
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(KEY);
    assertThat(LlmClient.builder().apiKey(KEY).toString()).doesNotContain(KEY);
  }

  @Test
  void wrongKeyIsAClearHttp401() {
    client.close();
    client = clientFor(fake, "sk-wrong", Duration.ofSeconds(5));

    assertThatThrownBy(() -> client.chat(List.of(Message.user("x"))))
        .isInstanceOfSatisfying(LlmException.class, e -> {
          assertThat(e.kind()).isEqualTo(LlmException.Kind.HTTP);
          assertThat(e.status()).isEqualTo(401);
        })
        .hasMessage("LLM at " + fake.baseUrl() + "/v1 answered HTTP 401: Incorrect API key provided.");
  }

  @Test
  void serverErrorsCarryStatusAndShortBody() {
    fake.failWith(503);

    assertThatThrownBy(() -> client.chat(List.of(Message.user("x"))))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.status()).isEqualTo(503))
        .hasMessageContaining("answered HTTP 503: The fake server was told to fail with 503.");
  }

  @Test
  void slowServerTimesOutWithinTheDeadline() {
    fake.delay(Duration.ofSeconds(10));
    client.close();
    client = clientFor(fake, KEY, Duration.ofMillis(300));

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.chat(List.of(Message.user("x"))))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.TIMEOUT))
        .hasMessageEndingWith("gave no answer within 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void unreachableServerIsClear() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      freePort = s.getLocalPort();
    }
    try (LlmClient nowhere = LlmClient.builder().baseUrl("http://127.0.0.1:" + freePort).model("m").build()) {
      assertThatThrownBy(() -> nowhere.chat(List.of(Message.user("x"))))
          .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.UNREACHABLE))
          .hasMessage("LLM at http://127.0.0.1:" + freePort + "/v1 is not reachable: connection refused");
      assertThat(nowhere.ready().state()).isEqualTo(LlmReadiness.State.NOT_READY);
    }
  }

  @Test
  void answersThatAreNotOpenAiShapedAreMalformed() {
    fake.rawReply("{\"choices\":[]}");
    assertThatThrownBy(() -> client.chat(List.of(Message.user("x"))))
        .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.MALFORMED))
        .hasMessageContaining("without choices[0].message.content");

    fake.rawReply("<html>proxy error</html>");
    assertThatThrownBy(() -> client.chat(List.of(Message.user("x"))))
        .hasMessageContaining("not JSON: <html>proxy error</html>");
  }

  @Test
  void readinessFollowsTheModelsEndpoint() {
    assertThat(client.ready().isReady()).isTrue();
    assertThat(fake.requests().get(0).path()).isEqualTo("/v1/models");

    fake.failWith(500);
    LlmReadiness down = client.ready();
    assertThat(down.state()).isEqualTo(LlmReadiness.State.NOT_READY);
    assertThat(down.reason()).contains("HTTP 500");
  }

  @Test
  void emptyBaseUrlMeansDisabled() {
    try (LlmClient off = LlmClient.fromSettings("  ", "m", KEY, null)) {
      assertThat(off.enabled()).isFalse();
      assertThat(off.ready()).isEqualTo(LlmReadiness.disabled("LLM disabled (LLM_BASE_URL not set)"));
      assertThatThrownBy(() -> off.chat(List.of(Message.user("x"))))
          .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.kind()).isEqualTo(LlmException.Kind.DISABLED))
          .hasMessage("LLM disabled (LLM_BASE_URL not set)");
    }
  }

  @Test
  void fromSettingsBuildsAnEnabledClient() {
    try (LlmClient on = LlmClient.fromSettings(fake.baseUrl().toString(), "m", KEY, Duration.ofSeconds(7))) {
      assertThat(on.enabled()).isTrue();
      assertThat(on.timeout()).isEqualTo(Duration.ofSeconds(7));
      assertThat(on.ready().isReady()).isTrue();
    }
  }

  @Test
  void badSettingsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> LlmClient.builder().baseUrl("ftp://host"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("baseUrl must be http:// or https://: ftp://host");
    assertThatThrownBy(() -> LlmClient.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be > 0: PT0S");
    assertThatThrownBy(() -> LlmClient.builder().temperature(3))
        .hasMessage("temperature must be between 0 and 2: 3.0");
    assertThatThrownBy(() -> LlmClient.fromSettings("http://127.0.0.1:1", "", null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("LLM_MODEL");
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    client.chat(List.of(Message.user("warm up")));
    client.close();
    client.close();

    assertThatThrownBy(() -> client.chat(List.of(Message.user("x")))).isInstanceOf(IllegalStateException.class);
    // close() waited for the pool; a thread may take a moment to leave the thread table.
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (liveLlmThreads() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(liveLlmThreads()).isZero();
  }

  private static long liveLlmThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("comfygate-llm")).count();
  }
}
