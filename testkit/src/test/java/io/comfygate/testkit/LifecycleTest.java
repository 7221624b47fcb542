package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Independence of fakes, bounded close without leftover threads, and the standalone main. */
class LifecycleTest {
  private static final String TINY = "{\"prompt\": {\"1\": {\"class_type\": \"EmptyImage\", \"inputs\": {\"width\": 8,"
      + " \"height\": 8, \"batch_size\": 1, \"color\": 0}}, \"2\": {\"class_type\": \"SaveImage\", \"inputs\": "
      + "{\"images\": [\"1\", 0], \"filename_prefix\": \"x\"}}}}";

  @Test
  void twoFakesShareNothing() throws Exception {
    try (FakeComfyUi a = FakeComfyUi.builder().start(); FakeComfyUi b = FakeComfyUi.builder().start()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      String id = new FakeHttp(a).submit(TINY);
      Await.until(() -> a.historyIds().contains(id));
      assertThat(a.historyIds()).containsExactly(id);
      assertThat(b.historyIds()).isEmpty();
      assertThat(new FakeHttp(b).getJson("/history").size()).isZero();
    }
  }

  @Test
  void closeIsIdempotentAndLeavesNoFakeThread() {
    FakeComfyUi fake = FakeComfyUi.builder().start();
    fake.hang(true); // even a frozen worker must not outlive close()
    fake.close();
    fake.close();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive() && t.getName().startsWith("comfygate-fake"));
    assertThatThrownBy(fake::restart).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builderRejectsBadValues() {
    assertThatThrownBy(() -> FakeComfyUi.builder().steps(0)).hasMessageContaining("steps");
    assertThatThrownBy(() -> FakeComfyUi.builder().port(70000)).hasMessageContaining("port");
    assertThatThrownBy(() -> FakeComfyUi.builder().stepDelay(Duration.ofMillis(-1))).hasMessageContaining("stepDelay");
  }

  @Test
  void mainParsesItsOptionsAndSaysItIsSimulated() {
    FakeComfyUi.Builder b = FakeComfyUiMain.parse(new String[] {"--port", "0", "--steps", "2", "--step-delay-ms", "0"});
    try (FakeComfyUi fake = b.start()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      FakeComfyUiMain.banner(new PrintStream(out, true, StandardCharsets.UTF_8), fake);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("SIMULATED").contains(fake.baseUrl().toString());
    }
    assertThatThrownBy(() -> FakeComfyUiMain.parse(new String[] {"--steps"})).hasMessageContaining("missing value");
    assertThatThrownBy(() -> FakeComfyUiMain.parse(new String[] {"--bogus", "1"})).hasMessageContaining("unknown option");
  }
}
