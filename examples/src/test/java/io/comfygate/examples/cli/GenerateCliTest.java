package io.comfygate.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.config.Settings;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs GenerateCli's main logic in-process against the simulated ComfyUI, with captured output. */
class GenerateCliTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @RegisterExtension
  static final FakeComfyUiExtension COMFY = new FakeComfyUiExtension(FakeComfyUi.builder().steps(10).stepDelay(Duration.ofMillis(30)));

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private volatile Runnable ctrlC;

  private int run(String... args) {
    return new GenerateCli(stream(out), stream(err), false, Settings::defaults, onInterrupt -> {
      ctrlC = onInterrupt;
      return () -> ctrlC = null;
    }).run(args);
  }

  @Test
  void savesThePngAndShowsRisingProgress(FakeComfyUi fake) throws Exception {
    int code = run("--url", fake.baseUrl().toString(), "--steps", "10", "--seed", "42", "-o", dir.resolve("pics").toString(),
        "a", "lighthouse", "at", "dawn");

    assertThat(code).as(text(err)).isZero();
    Matcher saved = Pattern.compile("saved (\\S+) \\(512x512\\)").matcher(text(out));
    assertThat(saved.find()).as(text(out)).isTrue();
    Path image = Path.of(saved.group(1));
    assertThat(image).startsWith(dir.resolve("pics"));
    assertThat(Arrays.copyOf(Files.readAllBytes(image), 8)).isEqualTo(PNG_SIGNATURE);

    List<Integer> percents = new ArrayList<>();
    Matcher percent = Pattern.compile("\\] +(\\d+)%").matcher(text(out));
    while (percent.find()) {
      percents.add(Integer.parseInt(percent.group(1)));
    }
    assertThat(percents).as(text(out)).isSorted().hasSizeGreaterThan(2);
    assertThat(percents.get(percents.size() - 1)).isGreaterThan(percents.get(0));
    assertThat(text(out)).contains("KSampler #3");
    assertThat(fake.requests()).anyMatch(r -> r.path().equals("/prompt") && r.body().contains("a lighthouse at dawn"));
  }

  @Test
  void anUnknownFlagIsAUsageErrorNamingIt() {
    assertThat(run("--stpes", "8", "a cat")).isEqualTo(GenerateCli.USAGE);

    assertThat(text(err)).startsWith("generate: unknown option --stpes").contains("Usage: generate");
    assertThat(text(out)).isEmpty();
  }

  @Test
  void aValueTheTemplateRefusesIsAUsageErrorNamingTheFlag(FakeComfyUi fake) {
    assertThat(run("--url", fake.baseUrl().toString(), "--steps", "0", "a cat")).isEqualTo(GenerateCli.USAGE);

    assertThat(text(err)).startsWith("generate: bad value for --steps: ");
    assertThat(fake.requests()).noneMatch(r -> r.path().equals("/prompt"));
  }

  @Test
  void helpPrintsTheUsage() {
    assertThat(run("--help")).isZero();

    assertThat(text(out)).startsWith("Usage: generate").contains("--timeout SECONDS").contains("130 interrupted");
  }

  @Test
  void noComfyUiExitsWith3AndSaysSo() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    assertThat(run("--url", "http://127.0.0.1:" + closedPort, "a cat")).isEqualTo(GenerateCli.UNAVAILABLE);

    assertThat(text(err)).startsWith("ComfyUI at http://127.0.0.1:" + closedPort + " is not reachable: ")
        .contains("Nothing was submitted");
  }

  @Test
  void aFailedJobExitsWith4AndGivesComfyUisReason(FakeComfyUi fake) {
    fake.failAtNode("3", "CUDA out of memory");

    assertThat(run("--url", fake.baseUrl().toString(), "-o", dir.toString(), "a cat")).isEqualTo(GenerateCli.FAILED);

    assertThat(text(err)).contains("failed").contains("CUDA out of memory");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void runningOutOfTimeCancelsTheJobAndExitsWith4() {
    try (FakeComfyUi slow = slowFake()) {
      assertThat(run("--url", slow.baseUrl().toString(), "--timeout", "1", "a cat")).isEqualTo(GenerateCli.FAILED);

      assertThat(text(err)).contains("No image within 1 s (--timeout)").contains("cancelled");
      assertThat(slow.requests()).anyMatch(r -> r.path().equals("/interrupt"));
    }
  }

  @Test
  void ctrlCCancelsTheJobThenExitsWith130() throws Exception {
    try (FakeComfyUi slow = slowFake()) {
      CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> run("--url", slow.baseUrl().toString(), "a cat"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((ctrlC == null || !text(out).contains("%")) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(text(out)).as("the job runs").contains("%");

      CompletableFuture<Void> hook = CompletableFuture.runAsync(ctrlC); // what the JVM does on SIGINT

      assertThat(code.get(15, TimeUnit.SECONDS)).isEqualTo(GenerateCli.INTERRUPTED);
      hook.get(15, TimeUnit.SECONDS);
      assertThat(text(err)).contains("Interrupted: job j").contains("cancelled");
      assertThat(slow.requests()).anyMatch(r -> r.path().equals("/interrupt"));
    }
  }

  /** main() as a shell runs it: a separate JVM whose exit code is the one run() returned. */
  @Test
  void mainExitsWithTheCode(FakeComfyUi fake) throws Exception {
    assertThat(java("--url", fake.baseUrl().toString(), "-o", dir.resolve("cat.png").toString(), "a cat")).isZero();
    assertThat(dir.resolve("cat.png")).isRegularFile();

    assertThat(java("--bogus", "1", "a cat")).isEqualTo(GenerateCli.USAGE);
  }

  private int java(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), GenerateCli.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("java.log").toFile()).start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("GenerateCli did not end within 90 s: " + Files.readString(dir.resolve("java.log")));
    }
    return process.exitValue();
  }

  /** A ComfyUI that takes 10 s per image, so there is time to give up or press Ctrl+C. */
  private static FakeComfyUi slowFake() {
    return FakeComfyUi.builder().steps(100).stepDelay(Duration.ofMillis(100)).start();
  }

  private static PrintStream stream(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
