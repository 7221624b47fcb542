package io.comfygate.client;

import static io.comfygate.client.FakeRuns.WAIT;
import static io.comfygate.client.FakeRuns.request;
import static io.comfygate.client.FakeRuns.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.events.ComfyEvent;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every event type as a listener sees it during real runs on FakeComfyUi (previews on, 3 sampler steps). */
class ClientEventsFakeTest {
  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension(
      FakeComfyUi.builder().steps(3).stepDelay(Duration.ofMillis(2)).samplerPreviews(true));

  private FakeComfyUi fake;
  private ComfyClient client;
  private final List<ComfyEvent> all = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fake = comfy.get();
    client = FakeRuns.clientFor(fake).build();
    client.addListener(all::add);
    waitUntil("connected", client::isConnected);
  }

  @AfterEach
  void stop() {
    client.close();
  }

  @Test
  void connectGivesStatusWithOurSidAndTheFeatureFlagsReply() {
    waitUntil("feature_flags reply", () -> all.stream().anyMatch(ComfyEvent.FeatureFlags.class::isInstance));
    assertThat(all.get(0)).isInstanceOfSatisfying(ComfyEvent.Status.class,
        s -> assertThat(s.sid()).isEqualTo(client.clientId()));
    assertThat(all).filteredOn(ComfyEvent.FeatureFlags.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.FeatureFlags.class, f -> {
          assertThat(f.supportsPreviewMetadata()).isTrue();
          assertThat(f.maxUploadSize()).isEqualTo(100L * 1024 * 1024);
        });
  }

  @Test
  void aSamplerRunDeliversEveryLifecycleEventInOrder() {
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptHandle handle = client.submit(request(FakeRuns.sampler(7)), mine::add);
    String id = handle.promptId();
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    waitUntil("the final executing{node:null}", () -> mine.stream()
        .anyMatch(e -> e instanceof ComfyEvent.Executing x && x.isPromptDone()));

    assertThat(mine).allSatisfy(e -> assertThat(e.relatedPromptId()).contains(id));
    assertThat(mine.get(0)).isEqualTo(mine.stream().filter(ComfyEvent.ExecutionStart.class::isInstance).findFirst().orElseThrow());
    assertThat(mine).filteredOn(ComfyEvent.ExecutionCached.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.ExecutionCached.class, c -> assertThat(c.nodes()).isEmpty());
    assertThat(mine).filteredOn(ComfyEvent.Executing.class::isInstance).map(e -> ((ComfyEvent.Executing) e).node())
        .containsExactlyInAnyOrder("4", "5", "6", "7", "3", "8", "9", null)
        .endsWith("3", "8", "9", null);
    assertThat(mine).filteredOn(ComfyEvent.Progress.class::isInstance).map(ComfyEvent.Progress.class::cast)
        .allSatisfy(p -> assertThat(p.node()).isEqualTo("3"))
        .extracting(ComfyEvent.Progress::value).containsExactly(1.0, 2.0, 3.0);
    assertThat(mine).filteredOn(ComfyEvent.ProgressState.class::isInstance).map(ComfyEvent.ProgressState.class::cast)
        .last().satisfies(s -> assertThat(s.nodes().get("9").state()).isEqualTo("finished"));
    // supports_preview_metadata was declared, so previews are type 4 and carry prompt and node.
    assertThat(mine).filteredOn(ComfyEvent.Preview.class::isInstance).map(ComfyEvent.Preview.class::cast)
        .hasSize(3).allSatisfy(p -> {
          assertThat(p.mimeType()).isEqualTo("image/png");
          assertThat(p.nodeId()).isEqualTo("3");
          assertThat(p.size()).isPositive();
        });
    assertThat(mine).filteredOn(ComfyEvent.Executed.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.Executed.class, x -> {
          assertThat(x.node()).isEqualTo("9");
          assertThat(x.images()).singleElement().satisfies(i -> assertThat(i.type()).isEqualTo("output"));
        });
    int success = indexOf(mine, ComfyEvent.ExecutionSuccess.class);
    assertThat(success).isPositive().isEqualTo(mine.size() - 2); // then only executing{node:null}
    // The client-wide listener saw them too, plus the broadcast status.
    assertThat(all).containsAll(mine);
    assertThat(all).filteredOn(ComfyEvent.Status.class::isInstance).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void anIdenticalRerunIsReportedAsCached() {
    assertThat(client.submit(request(FakeRuns.image("cached", 5))).await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptHandle again = client.submit(request(FakeRuns.image("cached", 5)), mine::add);
    assertThat(again.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    waitUntil("cached event", () -> indexOf(mine, ComfyEvent.ExecutionCached.class) >= 0);
    assertThat(mine).filteredOn(ComfyEvent.ExecutionCached.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.ExecutionCached.class, c -> assertThat(c.nodes()).containsExactly("1", "9"));
    // A cached output node re-reports its files.
    assertThat(mine).filteredOn(ComfyEvent.Executed.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.Executed.class, x -> assertThat(x.images()).hasSize(1));
  }

  @Test
  void aFailingNodeGivesExecutionErrorAndFailed() {
    fake.failAtNode("9", "disk on fire");
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptOutcome outcome = client.submit(request(FakeRuns.image("err", 6)), mine::add).await(WAIT);
    assertThat(outcome).isInstanceOfSatisfying(PromptOutcome.Failed.class, f -> {
      assertThat(f.nodeId()).isEqualTo("9");
      assertThat(f.message()).isEqualTo("disk on fire");
      assertThat(f.exceptionType()).isEqualTo("RuntimeError");
    });
    assertThat(mine).filteredOn(ComfyEvent.ExecutionError.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.ExecutionError.class, e -> {
          assertThat(e.nodeType()).isEqualTo("SaveImage");
          assertThat(e.isBlocked()).isFalse();
          assertThat(e.traceback()).isNotEmpty();
        });
    assertThat(mine).noneMatch(ComfyEvent.ExecutionSuccess.class::isInstance);
  }

  @Test
  void anInterruptGivesExecutionInterrupted() {
    fake.slowNodes(Duration.ofMillis(100));
    List<ComfyEvent> mine = new CopyOnWriteArrayList<>();
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("int", 7, 3)), mine::add);
    waitUntil("the prompt runs", () -> indexOf(mine, ComfyEvent.ExecutionStart.class) >= 0);
    handle.cancel();
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Interrupted.class);
    assertThat(mine).filteredOn(ComfyEvent.ExecutionInterrupted.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.ExecutionInterrupted.class, i -> assertThat(i.executed()).contains("1"));
  }

  @Test
  void rawFramesBecomeProgressTextAndUnknown() {
    byte[] node = "12".getBytes(StandardCharsets.UTF_8);
    byte[] text = "loading model…".getBytes(StandardCharsets.UTF_8);
    fake.emitBinary(null, ByteBuffer.allocate(8 + node.length + text.length).putInt(3).putInt(node.length)
        .put(node).put(text).array());
    fake.emit(client.clientId(), "{\"type\":\"cg_custom\",\"data\":{\"answer\":42}}");
    waitUntil("both frames", () -> indexOf(all, ComfyEvent.Unknown.class) >= 0);
    assertThat(all).contains(new ComfyEvent.ProgressText("12", "loading model…"));
    assertThat(all).filteredOn(ComfyEvent.Unknown.class::isInstance).singleElement()
        .isInstanceOfSatisfying(ComfyEvent.Unknown.class, u -> {
          assertThat(u.type()).isEqualTo("cg_custom");
          assertThat(u.raw().path("data").path("answer").asInt()).isEqualTo(42);
        });
  }

  private static int indexOf(List<ComfyEvent> events, Class<? extends ComfyEvent> type) {
    for (int i = 0; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
