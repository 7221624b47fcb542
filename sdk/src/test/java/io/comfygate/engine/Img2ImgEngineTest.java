package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.params;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.jobs.JobState;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import io.comfygate.testkit.RecordedRequest;
import io.comfygate.testkit.SampleImages;
import io.comfygate.uploads.Upload;
import io.comfygate.uploads.Uploads;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * img2img jobs against two FakeComfyUi backends: the input image is uploaded to the backend that
 * runs the job, under a name derived from the upload id, and LoadImage reads that name; another
 * backend, or one that went away and came back, gets the image again.
 */
class Img2ImgEngineTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  // Each test gets its own two fakes; the fixture's (the first) and the engine close before the second.
  @RegisterExtension
  @Order(1)
  final FakeComfyUiExtension secondFake = new FakeComfyUiExtension(fake());

  @RegisterExtension
  @Order(2)
  final EngineFixture fixture = new EngineFixture(fake());

  private FakeComfyUi first;
  private FakeComfyUi second;
  private JobEngine engine;

  private static FakeComfyUi.Builder fake() {
    return FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(5));
  }

  @BeforeEach
  void start() {
    first = fixture.comfy();
    second = secondFake.get();
    engine = fixture.start(b -> b.servers(List.of(first.baseUrl(), second.baseUrl())));
  }

  private Upload upload(String user, byte[] image) {
    return uploads().store(user, new ByteArrayInputStream(image));
  }

  private Uploads uploads() {
    return engine.uploads().orElseThrow();
  }

  private Job runImg2Img(String user, Upload upload) {
    return awaitEnd(engine, submitImg2Img(user, upload).id());
  }

  private Job submitImg2Img(String user, Upload upload) {
    return engine.submit(user, "img2img", params("{\"image\": \"" + upload.id() + "\", \"prompt\": \"a watercolour\","
        + " \"denoise\": 0.4, \"steps\": 2, \"seed\": 5}"));
  }

  @Test
  void theInputIsUploadedToTheBackendAndLoadImageReadsTheNameItGot() throws IOException {
    Upload upload = upload("alice", SampleImages.png(48, 32));

    Job done = runImg2Img("alice", upload);

    assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
    FakeComfyUi ran = done.backend().equals(first.baseUrl().getAuthority()) ? first : second;
    String name = "comfygate-" + upload.id() + ".png";
    List<RecordedRequest> sent = uploadsTo(ran);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).body()).contains("filename=\"" + name + "\"").contains("name=\"overwrite\"\r\n\r\ntrue")
        .contains("name=\"type\"\r\n\r\ninput");
    JsonNode prompt = lastPrompt(ran);
    assertThat(prompt.path("1").path("inputs").path("image").asText()).isEqualTo(name);
    assertThat(prompt.path("6").path("inputs").path("denoise").asDouble()).isEqualTo(0.4);
    assertThat(done.images()).singleElement().satisfies(i -> {
      assertThat(i.width()).isEqualTo(48);
      assertThat(i.height()).isEqualTo(32);
    });
  }

  @Test
  void aBackendGetsTheImageOnceAnotherBackendOrOneBackFromARestartGetsItAgain() throws IOException {
    Upload upload = upload("alice", SampleImages.jpeg(40, 40));
    String name = "comfygate-" + upload.id() + ".jpg";

    Job one = runImg2Img("alice", upload);
    Job two = runImg2Img("alice", upload);
    assertThat(List.of(one.state(), two.state())).containsOnly(JobState.SUCCEEDED);
    assertThat(two.backend()).isEqualTo(one.backend());
    FakeComfyUi used = one.backend().equals(first.baseUrl().getAuthority()) ? first : second;
    FakeComfyUi other = used == first ? second : first;
    assertThat(uploadsTo(used)).as("sent once, reused by the second job").hasSize(1);

    used.stop();
    waitUntil("the engine to notice the stopped backend", () -> engine.backends().stream()
        .anyMatch(b -> b.name().equals(used.baseUrl().getAuthority()) && !b.healthy()));
    Job three = runImg2Img("alice", upload);
    assertThat(three.state()).as(three.error()).isEqualTo(JobState.SUCCEEDED);
    assertThat(three.backend()).isEqualTo(other.baseUrl().getAuthority());
    assertThat(uploadsTo(other)).hasSize(1);
    assertThat(lastPrompt(other).path("1").path("inputs").path("image").asText()).isEqualTo(name);

    used.restart();
    waitUntil("the engine to take the backend back", () -> engine.backends().stream().allMatch(JobEngine.BackendStatus::healthy));
    Job four = runImg2Img("alice", upload);
    Job five = runImg2Img("alice", upload);
    assertThat(List.of(four.state(), five.state())).containsOnly(JobState.SUCCEEDED);
    FakeComfyUi fourOn = four.backend().equals(first.baseUrl().getAuthority()) ? first : second;
    if (fourOn == used) {
      assertThat(uploadsTo(used)).as("sent again after the restart").hasSize(2);
    } else {
      assertThat(uploadsTo(other)).as("kept by the backend that stayed up").hasSize(1);
    }
  }

  @Test
  void aFreshServerAtTheSameAddressGetsTheImageAgain() throws IOException {
    engine.close();
    second.close();
    engine = fixture.start(); // on the first fake only
    Upload upload = upload("alice", SampleImages.png(20, 20));
    assertThat(runImg2Img("alice", upload).state()).isEqualTo(JobState.SUCCEEDED);

    // Another ComfyUI (empty input folder) takes the port, perhaps between two health checks: the
    // engine may still believe it has the image; LoadImage's refusal makes it send it again.
    int port = first.port();
    first.close();
    first = fixture.own(fake().port(port).start());
    List<Job> submitted = new java.util.ArrayList<>();
    waitUntil("the engine to take a job again (a health check may have seen the swap)", () -> {
      try {
        return submitted.add(submitImg2Img("alice", upload));
      } catch (io.comfygate.errors.ServiceUnavailableException e) {
        return false;
      }
    });
    Job again = awaitEnd(engine, submitted.get(0).id());

    assertThat(again.state()).as(again.error()).isEqualTo(JobState.SUCCEEDED);
    assertThat(uploadsTo(first)).hasSize(1);
    assertThat(lastPrompt(first).path("1").path("inputs").path("image").asText()).isEqualTo("comfygate-" + upload.id() + ".png");
  }

  @Test
  void anUnknownOrSomeoneElsesUploadIsABadImageParameter() throws IOException {
    Upload bobs = upload("bob", SampleImages.png(8, 8));

    for (String value : new String[] {bobs.id().value(), "u0000000000aaaaaaaaaaaaaaaa", "../../etc/passwd", "cat.png"}) {
      assertThatThrownBy(() -> engine.submit("alice", "img2img", params("{\"image\": \"" + value + "\", \"prompt\": \"x\"}")))
          .isInstanceOfSatisfying(InvalidParamsException.class, e ->
              assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("image")));
    }
    assertThatThrownBy(() -> engine.submit("alice", "img2img", params("{\"prompt\": \"x\"}")))
        .isInstanceOf(InvalidParamsException.class).hasMessageContaining("image: is required");
    assertThat(uploadsTo(first)).isEmpty();
    assertThat(uploadsTo(second)).isEmpty();
  }

  @Test
  void anInputGoneBeforeDispatchFailsTheJobSayingWhich() throws IOException {
    Upload upload = upload("alice", SampleImages.png(8, 8));
    Files.delete(uploads().file(upload));

    Job done = runImg2Img("alice", upload);

    assertThat(done.state()).isEqualTo(JobState.FAILED);
    assertThat(done.error()).contains(upload.id().value()).contains("no longer exists");
  }

  private static List<RecordedRequest> uploadsTo(FakeComfyUi fake) {
    return fake.requests().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/upload/image")).toList();
  }

  private static JsonNode lastPrompt(FakeComfyUi fake) throws IOException {
    List<RecordedRequest> prompts = fake.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/prompt")).toList();
    return JSON.readTree(prompts.get(prompts.size() - 1).body()).path("prompt");
  }
}
