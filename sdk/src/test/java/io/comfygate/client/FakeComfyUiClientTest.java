package io.comfygate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.ComfyServerErrorException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.internal.json.Json;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.Transcripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end against FakeComfyUi over real HTTP and WebSocket. */
class FakeComfyUiClientTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private FakeComfyUi fake;
  private ComfyClient client;

  @BeforeEach
  void start() {
    fake = FakeComfyUi.builder().port(0).steps(2).stepDelay(Duration.ofMillis(5)).start();
    client = ComfyClient.builder().baseUrl(fake.baseUrl().toString()).readTimeout(Duration.ofSeconds(2))
        .historyPollInterval(Duration.ofMillis(100)).reconnectBackoffMin(Duration.ofMillis(50))
        .reconnectBackoffMax(Duration.ofMillis(200)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  private static ObjectNode workflow() throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(Json.MAPPER.readTree(Transcripts.text("03_run_ok.post_prompt.json"))
        .get("request").get("body_text").asText()).get("prompt");
  }

  @Test
  void runsAPromptAndDownloadsItsOutput(@TempDir Path dir) throws Exception {
    List<ComfyEvent> events = new CopyOnWriteArrayList<>();
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build(), events::add);
    PromptOutcome outcome = handle.await(WAIT);
    assertThat(outcome).isInstanceOf(PromptOutcome.Succeeded.class);
    HistoryEntry history = ((PromptOutcome.Succeeded) outcome).history();
    assertThat(history.outputs()).isNotEmpty();
    Path target = dir.resolve("out.png");
    long n = client.download(history.outputs().get(0), target);
    assertThat(n).isPositive().isEqualTo(Files.size(target));
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(ComfyEvent.ExecutionStart.class));
  }

  @Test
  void failAtNodeGivesFailed() throws Exception {
    fake.failAtNode("2", "boom");
    PromptOutcome outcome = client.submit(PromptRequest.builder(workflow()).build()).await(WAIT);
    assertThat(outcome).isInstanceOfSatisfying(PromptOutcome.Failed.class, f -> {
      assertThat(f.nodeId()).isEqualTo("2");
      assertThat(f.message()).contains("boom");
    });
  }

  @Test
  void httpFaultsAndDownThenBack() throws Exception {
    fake.httpFailure(500);
    assertThatThrownBy(client::queue).isInstanceOf(ComfyServerErrorException.class);
    fake.clearFaults();
    fake.stop();
    assertThatThrownBy(client::systemStats).isInstanceOf(ComfyUnavailableException.class);
    fake.restart();
    assertThat(client.systemStats().comfyuiVersion()).isNotBlank();
    assertThat(client.features()).isPresent();
  }
}
