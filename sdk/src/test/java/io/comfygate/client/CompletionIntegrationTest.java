package io.comfygate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.events.ComfyEvent;
import io.comfygate.internal.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket, reconnect and completion-loss behaviour against a scripted server over real sockets. */
class CompletionIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private ScriptedComfy server;
  private ComfyClient client;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedComfy();
    client = ComfyClient.builder().baseUrl(server.baseUrl())
        .historyPollInterval(Duration.ofMillis(100)).safetyPollInterval(Duration.ofSeconds(2))
        .reconnectBackoffMin(Duration.ofMillis(50)).reconnectBackoffMax(Duration.ofMillis(200))
        .wsIdleTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  private static ObjectNode workflow() {
    ObjectNode w = Json.MAPPER.createObjectNode();
    w.putObject("9").put("class_type", "SaveImage").putObject("inputs").put("filename_prefix", "t");
    return w;
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; comfygate threads: " + comfygateThreads());
      }
      Thread.sleep(10);
    }
  }

  @Test
  void handshakeEventsAndCompletionViaExecutingNull() throws Exception {
    List<ComfyEvent> seen = new CopyOnWriteArrayList<>();
    client.addListener(seen::add);
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    assertThat(server.firstClientFrames).containsExactly("{\"type\":\"feature_flags\",\"data\":{\"supports_preview_metadata\":true}}");
    assertThat(server.promptClient.get(handle.promptId())).isEqualTo(client.clientId());

    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    handle.onEvent(mine::add);
    server.send(client.clientId(), "{\"type\":\"progress\",\"data\":{\"value\":1,\"max\":2,\"prompt_id\":\"" + handle.promptId() + "\",\"node\":\"3\"}}");
    server.finish(handle.promptId());

    PromptOutcome outcome = handle.await(WAIT);
    assertThat(outcome).isInstanceOfSatisfying(PromptOutcome.Succeeded.class,
        s -> assertThat(s.history().outputs()).containsExactly(new OutputFile("9", "out.png", "", "output")));
    waitUntil("progress delivered", () -> mine.stream().anyMatch(ComfyEvent.Progress.class::isInstance));
    assertThat(seen).anySatisfy(e -> assertThat(e).isInstanceOf(ComfyEvent.Status.class));
  }

  @Test
  void completionWhileTheSocketIsDroppedIsStillDelivered() throws Exception {
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    String firstId = client.clientId();
    server.dropSockets();
    server.finish(handle.promptId()); // executing{node:null} goes nowhere, as on the real server
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    waitUntil("reconnected", () -> client.isConnected());
    assertThat(client.clientId()).as("reconnect uses a fresh clientId (#16010)").isNotEqualTo(firstId);
  }

  @Test
  void completionOfAPromptFromAnEarlierConnectionIsFoundByPolling() throws Exception {
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    String firstId = client.clientId();
    server.dropSockets();
    waitUntil("reconnected under a new id", () -> client.isConnected() && !client.clientId().equals(firstId));
    // Other traffic keeps the new socket busy, so silence alone would not trigger a poll.
    server.send(client.clientId(), "{\"type\":\"status\",\"data\":{\"status\":{\"exec_info\":{\"queue_remaining\":1}}}}");
    server.history.put(handle.promptId(), "{}");
    server.finish(handle.promptId());
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void mutedSocketIsReplacedAfterTheIdleTimeout() throws Exception {
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    String firstId = client.clientId();
    // Nothing is sent: with a prompt watched, 1 s of silence means a dead link.
    waitUntil("idle reconnect", () -> client.isConnected() && !client.clientId().equals(firstId));
    server.finish(handle.promptId());
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void deletedPromptVanishesAndTrackFindsOldPrompts() throws Exception {
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    server.queued.remove(handle.promptId());
    assertThat(handle.await(WAIT)).isEqualTo(new PromptOutcome.Vanished(handle.promptId()));

    server.queued.add("earlier");
    PromptHandle tracked = client.track("earlier");
    server.finish("earlier");
    assertThat(tracked.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  private static List<String> comfygateThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("comfygate-"))
        .map(Thread::getName).toList();
  }

  @Test
  void closeIsIdempotentBoundedAndLeavesNoThreads() throws Exception {
    PromptHandle handle = client.submit(PromptRequest.builder(workflow()).build());
    client.close();
    client.close();
    assertThat(handle.completion()).isCompletedExceptionally();
    waitUntil("no comfygate threads", () -> comfygateThreads().isEmpty());
    waitUntil("socket closed on the server", () -> server.sockets.isEmpty());
  }
}
