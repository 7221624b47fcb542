package io.comfygate.client;

import static io.comfygate.client.FakeRuns.WAIT;
import static io.comfygate.client.FakeRuns.request;
import static io.comfygate.client.FakeRuns.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every HTTP endpoint of {@link ComfyClient} against FakeComfyUi over real sockets. */
class ClientEndpointsFakeTest {
  @RegisterExtension
  static FakeComfyUiExtension comfy = new FakeComfyUiExtension(FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(2)));

  private FakeComfyUi fake;
  private ComfyClient client;

  @BeforeEach
  void start() {
    fake = comfy.get();
    client = FakeRuns.clientFor(fake).build();
  }

  @AfterEach
  void stop() {
    client.close();
  }

  @Test
  void objectInfoListsEveryClassAndAnswersOneClassOrEmpty() {
    JsonNode all = client.objectInfo();
    assertThat(all.has("SaveImage")).isTrue();
    assertThat(all.has("KSampler")).isTrue();

    JsonNode save = client.objectInfo("SaveImage").orElseThrow();
    assertThat(save.path("output_node").asBoolean()).isTrue();
    assertThat(save.path("input").path("required").has("images")).isTrue();
    assertThat(client.objectInfo("NoSuchNode")).isEmpty();
  }

  @Test
  void uploadsBytesAndFilesRenamingClashesAndRunsALoadImageOnThem(@TempDir Path dir) throws Exception {
    byte[] red = png(0xff0000);
    byte[] blue = png(0x0000ff);
    assertThat(client.uploadImage(red, "cg-up.png", false, "", null)).isEqualTo(new UploadedImage("cg-up.png", "", "input"));
    // Same name, other content, no overwrite: renamed, the first file is kept.
    UploadedImage renamed = client.uploadImage(blue, "cg-up.png", false, "", null);
    assertThat(renamed.name()).isEqualTo("cg-up (1).png");
    // Identical content is recognised as the same file, as ComfyUI does.
    assertThat(client.uploadImage(red, "cg-up.png", false, "", "input").name()).isEqualTo("cg-up.png");
    assertThat(client.uploadImage(blue, "cg-up.png", true, "", "input").name()).isEqualTo("cg-up.png");

    Path file = dir.resolve("cg-file.png");
    Files.write(file, png(0x00ff00));
    UploadedImage fromPath = client.uploadImage(file, false, "", null);
    assertThat(fromPath).isEqualTo(new UploadedImage("cg-file.png", "", "input"));

    JsonNode choices = client.objectInfo("LoadImage").orElseThrow().path("input").path("required").path("image").get(0);
    assertThat(StreamSupport.stream(choices.spliterator(), false).map(JsonNode::asText))
        .contains("cg-up.png", "cg-up (1).png", "cg-file.png");

    for (String name : List.of(renamed.name(), fromPath.name())) {
      PromptOutcome outcome = client.submit(request(FakeRuns.loadImage(name))).await(WAIT);
      assertThat(outcome).as(name).isInstanceOfSatisfying(PromptOutcome.Succeeded.class,
          s -> assertThat(s.history().outputs()).singleElement().satisfies(o -> assertThat(o.nodeId()).isEqualTo("9")));
    }
  }

  @Test
  void historyPagesFromTheOldestAndDeleteHistoryForgets() {
    String a = run("a", 1);
    String b = run("b", 2);
    String c = run("c", 3);
    assertThat(client.history(2, 0)).containsOnlyKeys(a, b);
    assertThat(client.history(2, 2)).containsOnlyKeys(c);
    assertThat(client.history(2, -1)).containsOnlyKeys(b, c);
    assertThat(client.history(b)).hasValueSatisfying(h -> assertThat(h.status()).isEqualTo(HistoryEntry.Status.SUCCESS));

    client.deleteHistory(List.of(a, b));
    assertThat(client.history(b)).isEmpty();
    assertThat(client.history(10, -1)).containsOnlyKeys(c);
  }

  @Test
  void queueShowsRunningAndPendingAndDeleteOrClearMakesPendingPromptsVanish() {
    fake.hang(true);
    PromptHandle running = client.submit(request(FakeRuns.image("run", 1)));
    waitUntil("the first prompt runs", () -> fake.queueRunningCount() == 1);
    PromptHandle second = client.submit(request(FakeRuns.image("p2", 2)));
    PromptHandle third = client.submit(request(FakeRuns.image("p3", 3)));

    QueueSnapshot queue = client.queue();
    assertThat(queue.running()).extracting(QueueSnapshot.Item::promptId).containsExactly(running.promptId());
    assertThat(queue.pending()).extracting(QueueSnapshot.Item::promptId).containsExactly(second.promptId(), third.promptId());
    assertThat(queue.pending()).allSatisfy(i -> assertThat(i.clientId()).isEqualTo(client.clientId()));

    client.deleteFromQueue(List.of(second.promptId()));
    assertThat(second.await(WAIT)).isEqualTo(new PromptOutcome.Vanished(second.promptId()));
    client.clearQueue();
    assertThat(third.await(WAIT)).isEqualTo(new PromptOutcome.Vanished(third.promptId()));
    assertThat(client.queue().running()).extracting(QueueSnapshot.Item::promptId).containsExactly(running.promptId());
    assertThat(running.completion()).isNotDone();

    fake.hang(false);
    assertThat(running.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
  }

  @Test
  void interruptOfAnotherIdSparesTheRunningPromptAndInterruptOfItsIdStopsIt() {
    fake.slowNodes(Duration.ofMillis(150));
    PromptHandle first = client.submit(request(FakeRuns.imageChain("i1", 1, 2)));
    PromptHandle second = client.submit(request(FakeRuns.imageChain("i2", 2, 2)));
    waitUntil("the first prompt runs", () -> runningId().equals(first.promptId()));
    client.interrupt(second.promptId()); // pending, not running: a no-op since 0.3.57
    client.interrupt("not-a-prompt");
    assertThat(first.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);

    waitUntil("the second prompt runs", () -> runningId().equals(second.promptId()));
    client.interrupt(second.promptId());
    assertThat(second.await(WAIT)).isInstanceOfSatisfying(PromptOutcome.Interrupted.class,
        i -> assertThat(i.history().status()).isEqualTo(HistoryEntry.Status.INTERRUPTED));
  }

  @Test
  void interruptAllStopsWhateverRuns() {
    fake.slowNodes(Duration.ofMillis(150));
    PromptHandle handle = client.submit(request(FakeRuns.imageChain("all", 1, 3)));
    waitUntil("the prompt runs", () -> runningId().equals(handle.promptId()));
    client.interruptAll();
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Interrupted.class);
  }

  @Test
  void featuresAndSystemStatsDescribeTheSimulatedServer() {
    Features features = client.features().orElseThrow();
    assertThat(features.supportsPreviewMetadata()).isTrue();
    assertThat(features.maxUploadSize()).isEqualTo(100L * 1024 * 1024);

    SystemStats stats = client.systemStats();
    assertThat(stats.comfyuiVersion()).isEqualTo("0.3.64");
    assertThat(stats.ramTotal()).isPositive();
    assertThat(stats.devices()).singleElement().satisfies(d -> {
      assertThat(d.name()).contains("simulated");
      assertThat(d.type()).isEqualTo("cpu");
    });
    assertThat(stats.raw().path("system").path("comfygate_simulated").asBoolean()).isTrue();
  }

  private String run(String prefix, int color) {
    PromptHandle handle = client.submit(request(FakeRuns.image(prefix, color)));
    assertThat(handle.await(WAIT)).isInstanceOf(PromptOutcome.Succeeded.class);
    return handle.promptId();
  }

  private String runningId() {
    List<QueueSnapshot.Item> running = client.queue().running();
    return running.isEmpty() ? "" : running.get(0).promptId();
  }

  private static byte[] png(int rgb) throws Exception {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
