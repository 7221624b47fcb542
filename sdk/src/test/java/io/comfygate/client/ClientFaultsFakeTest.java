package io.comfygate.client;

import static io.comfygate.client.FakeRuns.WAIT;
import static io.comfygate.client.FakeRuns.request;
import static io.comfygate.client.FakeRuns.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.ComfyForbiddenException;
import io.comfygate.errors.ComfyHttpException;
import io.comfygate.errors.ComfyNotFoundException;
import io.comfygate.errors.ComfyPayloadTooLargeException;
import io.comfygate.errors.ComfyServerErrorException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fault knobs, reconnects and completion loss: the client against FakeComfyUi misbehaving. */
class ClientFaultsFakeTest {
  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension(FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(2)));

  private FakeComfyUi fake;
  private ComfyClient client;

  @BeforeEach
  void start() {
    fake = comfy.get();
    client = FakeRuns.clientFor(fake).readTimeout(Duration.ofMillis(500)).wsIdleTimeout(Duration.ofMillis(600)).build();
  }

  @AfterEach
  void stop() {
    client.close();
  }

  @Test
  void aHungPromptTimesOutTheWaitAndCompletesOnceReleased() {
    fake.hang(true);
    PromptHandle handle = client.submit(request(FakeRuns.image("hang", 1)));
    assertThatThrownBy(() -> handle.await(Duration.ofMillis(300)))
        .isInstanceOf(ComfyTimeoutException.class).hasMessageContaining(handle.promptId());
    assertThat(client.queue().running()).extracting(QueueSnapshot.Item::promptId).containsExactly(handle.promptId());
    fake.hang(false);
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  /** ComfyUI restarted behind a kept-alive connection: the next GET must not fail for it. */
  @Test
  void aGetAfterTheServerDroppedItsKeptAliveConnectionSucceeds() {
    assertThat(client.systemStats().devices()).isNotEmpty(); // leaves a pooled connection
    fake.restart(); // closes it on the server side
    assertThat(client.systemStats().devices()).isNotEmpty();
    assertThat(client.queue().running()).isEmpty();
  }

  @Test
  void aSlowAnswerFailsWithATimeoutNamingTheCallAndDeadline() {
    fake.httpDelay(Duration.ofSeconds(5));
    long t0 = System.nanoTime();
    assertThatThrownBy(client::queue).isInstanceOfSatisfying(ComfyTimeoutException.class, e -> {
      assertThat(e.deadline()).isEqualTo(Duration.ofMillis(500));
      assertThat(e.getMessage()).contains("GET /queue").contains("PT0.5S").contains(fake.baseUrl().toString());
    });
    // Bounded by the read timeout (+ connect timeout), not by the server's 5 s.
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(4000));
    fake.httpDelay(Duration.ZERO);
    assertThat(client.queue().running()).isEmpty();
  }

  @Test
  void errorStatusesMapToTypedExceptions() {
    fake.httpFailure(500);
    assertThatThrownBy(client::queue).isInstanceOfSatisfying(ComfyServerErrorException.class, e -> {
      assertThat(e.status()).isEqualTo(500);
      assertThat(e.body()).contains("Server got itself in trouble");
    });
    fake.httpFailure(503);
    assertThatThrownBy(client::systemStats).isInstanceOfSatisfying(ComfyServerErrorException.class,
        e -> assertThat(e.status()).isEqualTo(503));
    fake.httpFailure(403);
    assertThatThrownBy(() -> client.history("x")).isInstanceOf(ComfyForbiddenException.class);
    fake.httpFailure(413);
    assertThatThrownBy(() -> client.queuePrompt(request(FakeRuns.image("big", 1))))
        .isInstanceOf(ComfyPayloadTooLargeException.class);
    fake.httpFailure(429);
    assertThatThrownBy(client::clearQueue).isExactlyInstanceOf(ComfyHttpException.class)
        .satisfies(e -> assertThat(((ComfyHttpException) e).status()).isEqualTo(429));
    fake.httpFailure(404);
    assertThatThrownBy(client::objectInfo).isInstanceOf(ComfyNotFoundException.class);
    assertThat(client.features()).as("a 404 on /features means an old server").isEmpty();
    fake.httpFailure(0);
    assertThat(client.features()).isPresent();
  }

  @Test
  void aMutedSocketIsReplacedAndCompletionStillArrivesByPolling() {
    fake.slowNodes(Duration.ofMillis(200));
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("mute", 2, 3)));
    String firstId = client.clientId();
    fake.muteWebSockets(true);
    waitUntil("an idle reconnect", () -> !client.clientId().equals(firstId));
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void aDroppedSocketReconnectsUnderAFreshIdAndCompletionStillArrives() {
    fake.slowNodes(Duration.ofMillis(150));
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("drop", 3, 2)), mine::add);
    String firstId = client.clientId();
    waitUntil("the prompt runs", () -> mine.stream().anyMatch(ComfyEvent.ExecutionStart.class::isInstance));
    fake.dropWebSockets();
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    // Once in a CI run the reconnect took longer than 10 s (cause not found yet; the ping check
    // replaces a dead socket that was not noticed, which this bound covers). An open issue.
    waitUntil("reconnected", Duration.ofSeconds(40),
        () -> client.isConnected() && fake.connectedClientIds().contains(client.clientId()));
    assertThat(client.clientId()).as("a fresh clientId on reconnect (#16010)").isNotEqualTo(firstId);
    assertThat(fake.connectedClientIds()).doesNotContain(firstId);
  }

  @Test
  void aStoppedServerFailsFastAndAPromptItWasRunningEndsAsVanished() {
    fake.slowNodes(Duration.ofMillis(300));
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("stop", 4, 3)));
    waitUntil("the prompt runs", () -> fake.queueRunningCount() == 1);
    fake.stop();
    // Refused at once: unavailable, not a timeout.
    assertThatThrownBy(client::queue).isInstanceOf(ComfyUnavailableException.class)
        .hasMessageContaining(fake.baseUrl().toString());
    assertThat(handle.completion()).isNotDone();

    fake.restart();
    assertThat(client.systemStats().comfyuiVersion()).isEqualTo("0.3.64");
    assertThat(handle.await(WAIT)).isEqualTo(new PromptOutcome.Vanished(handle.promptId()));
    // The reconnected client works normally again.
    fake.slowNodes(Duration.ZERO);
    assertThat(client.submit(request(FakeRuns.image("after", 5))).await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void slowNodesKeepThePromptVisiblyRunningUntilItsNodesAreDone() {
    fake.slowNodes(Duration.ofMillis(150));
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("slow", 6, 2)), mine::add);
    waitUntil("node 10 runs", () -> mine.stream().anyMatch(e -> e instanceof ComfyEvent.Executing x && "10".equals(x.node())));
    assertThat(client.queue().running()).extracting(QueueSnapshot.Item::promptId).containsExactly(handle.promptId());
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void aSocketThatConnectsWhileItsPromptRunsIsNotConfusedByTheBareExecutingFrame() {
    fake.slowNodes(Duration.ofMillis(150));
    try (ComfyClient late = FakeRuns.clientFor(fake).build()) {
      // The prompt runs under the id the second client's first connection will use.
      String lateId = late.clientId();
      PromptAccepted accepted = client.queuePrompt(PromptRequest.builder(FakeRuns.imageChain("late", 7, 3))
          .clientId(lateId).build());
      waitUntil("the prompt runs", () -> fake.queueRunningCount() == 1);
      List<ComfyEvent> seen = new CopyOnWriteArrayList<>();
      late.addListener(seen::add);
      PromptHandle handle = late.track(accepted.promptId());
      assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
      waitUntil("the final executing", () -> seen.stream().anyMatch(e -> e instanceof ComfyEvent.Executing x && x.isPromptDone()));
      // On connect the fake (like ComfyUI) names the running node without a prompt id.
      assertThat(late.clientId()).isEqualTo(lateId);
      assertThat(seen.get(1)).isInstanceOfSatisfying(ComfyEvent.Executing.class, x -> {
        assertThat(x.node()).isNotNull();
        assertThat(x.promptId()).isNull();
      });
    }
  }

  @Test
  void eventsOfAPromptReachOnlyTheSubmittingClientWhileStatusReachesBoth() {
    try (ComfyClient other = FakeRuns.clientFor(fake).build()) {
      List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
      List<ComfyEvent> theirs = new CopyOnWriteArrayList<>();
      client.addListener(mine::add);
      other.addListener(theirs::add);
      waitUntil("both connected", () -> client.isConnected() && other.isConnected());
      PromptHandle handle = client.submit(request(FakeRuns.image("two", 8)));
      assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
      waitUntil("status broadcasts", () -> queueStatuses(theirs) >= 2 && queueStatuses(mine) >= 2);
      assertThat(mine).anySatisfy(e -> assertThat(e.relatedPromptId()).contains(handle.promptId()));
      assertThat(theirs).noneSatisfy(e -> assertThat(e.relatedPromptId()).contains(handle.promptId()));
    }
  }

  /** Status frames after the connect-time one (which alone carries the sid). */
  private static long queueStatuses(List<ComfyEvent> events) {
    return events.stream().filter(e -> e instanceof ComfyEvent.Status s && s.sid() == null).count();
  }
}
