package io.comfygate.examples.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.examples.ReadmeSnippets;
import io.comfygate.examples.launcher.Launcher;
import io.comfygate.examples.launcher.UsersFile;
import io.comfygate.remote.ComfyGateClient;
import io.comfygate.remote.model.Job;
import io.comfygate.remote.model.JobState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command-line client and README's snippet against the launcher (the WAR in embedded Tomcat, simulated ComfyUI). */
@Timeout(300)
class RemoteGenerateTest {
  @TempDir static Path work;
  private static Launcher launcher;
  private static UsersFile.User admin;

  @BeforeAll
  static void start() throws Exception {
    Launcher.Options options = new Launcher.Options()
        .workDir(work).demo(Launcher.Demo.ON).port(0).fakePort(0).fakeSpeed(6, Duration.ofMillis(200))
        .setting("OUTPUT_DIR", work.resolve("outputs").toString())
        .setting("JOB_DB_PATH", work.resolve("db").resolve("app.db").toString())
        .setting("LOG_TO_FILE", "false")
        .setting("HEALTHZ_DISK_MIN_FREE_MB", "1");
    launcher = Launcher.start(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    admin = UsersFile.read(work.resolve(UsersFile.NAME)).stream().filter(u -> u.name().equals("admin")).findFirst().orElseThrow();
    try (ComfyGateClient gate = client()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!gate.health().ok() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (launcher != null) {
      launcher.close();
    }
  }

  private static ComfyGateClient client() {
    return ComfyGateClient.builder().baseUrl(launcher.url()).basicAuth(admin.name(), admin.password()).build();
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = RemoteGenerate.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void generatesPrintsEachEventAsALineAndSavesTheImage() throws Exception {
    Path png = work.resolve("out").resolve("cat.png");
    Run run = run("--url", launcher.url().toString(), "--user", admin.name(), "--password", admin.password(),
        "--template", "txt2img", "--param", "steps=6", "-o", png.toString(), "a", "cat");

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).containsSubsequence("queued", "running", "succeeded");
    assertThat(lines).anyMatch(l -> l.matches("progress \\d+%"));
    assertThat(lines.get(lines.size() - 1)).startsWith("saved ");
    assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
  }

  @Test
  void badUsageIsTwo() {
    assertThat(run().exit()).isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/", "cat").exit()).as("no credentials").isEqualTo(2);
    assertThat(run("--url", "http://127.0.0.1:1/", "--api-key", "k", "--param", "noequals").exit()).isEqualTo(2);
    assertThat(run("--url", "ftp://x/", "--api-key", "k").exit()).isEqualTo(2);
    assertThat(run("--bogus").err()).contains("unknown option --bogus").contains("usage:");
  }

  @Test
  void anUnreachableOrRefusingServerIsThree() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Run unreachable = run("--url", "http://127.0.0.1:" + closedPort + "/", "--api-key", "cgk_x", "a cat");
    assertThat(unreachable.exit()).as(unreachable.err()).isEqualTo(3);
    Run wrong = run("--url", launcher.url().toString(), "--user", admin.name(), "--password", "wrong", "a cat");
    assertThat(wrong.exit()).as(wrong.err()).isEqualTo(3);
    assertThat(wrong.err()).contains("401");
    Run invalid = run("--url", launcher.url().toString(), "--user", admin.name(), "--password", admin.password(),
        "--param", "width=13", "a cat");
    assertThat(invalid.exit()).isEqualTo(3);
    assertThat(invalid.err()).contains("width");
  }

  @Test
  void aJobThatDoesNotSucceedIsFour() throws Exception {
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> run("--url", launcher.url().toString(),
        "--user", admin.name(), "--password", admin.password(), "to be cancelled"));
    try (ComfyGateClient gate = client()) {
      Job job = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (job == null && System.nanoTime() < deadline) {
        job = gate.jobs(1, 10).items().stream()
            .filter(j -> j.params().path("prompt").asText().equals("to be cancelled") && !j.state().isFinal())
            .findFirst().orElse(null);
        Thread.sleep(50);
      }
      assertThat(job).isNotNull();
      gate.cancel(job.id()); // a job ComfyUI already has ends cancelled once ComfyUI confirms
      assertThat(gate.await(job.id(), Duration.ofSeconds(60)).state()).isEqualTo(JobState.CANCELLED);
    }
    Run run = running.get(60, TimeUnit.SECONDS);
    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(4);
    assertThat(run.out().lines()).contains("cancelled");
  }

  /** README's "Call it from Java" is the tagged part of CallFromJavaExample, which runs here. */
  @Test
  void readmeShowsTheClientExampleAsItIsAndItRuns() throws Exception {
    ReadmeSnippets.assertShown("client", "src/main/java/io/comfygate/examples/remote/CallFromJavaExample.java", "client");

    String key;
    try (ComfyGateClient gate = client()) {
      key = gate.admin().issueApiKey("readme", "readme example", false, null).key();
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      CallFromJavaExample.main(new String[] {launcher.url().toString(), key});
    } finally {
      System.setOut(original);
    }
    // The launcher's server logs to the same System.out (JSON lines): the example's own lines are the rest.
    List<String> printed = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("{")).toList();
    assertThat(printed).containsExactly("succeeded", "lighthouse.png");
    Files.deleteIfExists(Path.of("lighthouse.png"));
  }
}
