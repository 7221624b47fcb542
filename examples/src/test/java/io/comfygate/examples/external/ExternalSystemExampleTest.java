package io.comfygate.examples.external;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.examples.launcher.Launcher;
import io.comfygate.examples.launcher.UsersFile;
import io.comfygate.remote.webhooks.WebhookVerifier;
import io.comfygate.webhooks.WebhookSigner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ExternalSystemExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec_0123456789abcdef";
  private static final byte[] BODY = "{\"event_id\":\"e1\",\"type\":\"job.succeeded\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path work;

  @Test
  void aRealSignaturePassesATamperedOneOrAStaleOneDoesNot() {
    WebhookVerifier verifier = new WebhookVerifier(SECRET, Duration.ofMinutes(5));
    Instant now = Instant.now();
    String header = WebhookSigner.sign(SECRET, now.getEpochSecond(), new String(BODY, StandardCharsets.UTF_8));

    assertThat(verifier.verify(header, BODY, now)).as("genuine, as ComfyGate signs").isTrue();
    assertThat(verifier.verify(header, "{\"event_id\":\"e1\",\"type\":\"job.failed\"}".getBytes(StandardCharsets.UTF_8), now))
        .as("tampered body").isFalse();
    String forged = header.substring(0, header.length() - 1) + (header.endsWith("0") ? "1" : "0");
    assertThat(verifier.verify(forged, BODY, now)).as("tampered signature").isFalse();
    assertThat(verifier.verify(header, BODY, now.plus(Duration.ofMinutes(6)))).as("stale timestamp").isFalse();
    assertThat(new WebhookVerifier("whsec_other", Duration.ofMinutes(5)).verify(header, BODY, now)).as("other secret").isFalse();
    assertThat(verifier.verify(null, BODY, now)).isFalse();
    assertThat(verifier.verify("t=abc,v1=00", BODY, now)).isFalse();
  }

  @Test
  @Timeout(180)
  void theExternalSystemGetsVerifiedWebhooksAndDownloadsItsImageAgainstTheLauncher() throws Exception {
    Launcher.Options options = new Launcher.Options()
        .workDir(work).demo(Launcher.Demo.ON).port(0).fakePort(0).fakeSpeed(2, Duration.ofMillis(10))
        .setting("OUTPUT_DIR", work.resolve("outputs").toString())
        .setting("JOB_DB_PATH", work.resolve("db").resolve("app.db").toString())
        .setting("LOG_TO_FILE", "false")
        .setting("HEALTHZ_DISK_MIN_FREE_MB", "1")
        .setting("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"); // the example's receiver, as docs/webhooks.md says
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (Launcher launcher = Launcher.start(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      URI gate = launcher.url();
      awaitHealthy(http, gate.resolve("/healthz"));
      UsersFile.User admin = UsersFile.read(work.resolve(UsersFile.NAME)).stream()
          .filter(u -> u.name().equals("admin")).findFirst().orElseThrow();
      HttpResponse<String> issuedResponse = http.send(HttpRequest.newBuilder(gate.resolve("/api/v1/admin/api-keys"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              (admin.name() + ":" + admin.password()).getBytes(StandardCharsets.UTF_8)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\": \"render-farm\", \"name\": \"example\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(issuedResponse.statusCode()).as(issuedResponse.body()).isEqualTo(201);
      JsonNode issued = JSON.readTree(issuedResponse.body());

      try (ExternalSystemExample system = ExternalSystemExample.start(gate, issued.path("key").asText(),
          issued.path("webhook_secret").asText(), work.resolve("downloads"))) {
        // A delivery that does not come from ComfyGate is refused and changes nothing.
        HttpResponse<String> fake = http.send(HttpRequest.newBuilder(system.webhookUrl())
            .header("ComfyGate-Signature", WebhookSigner.sign("whsec_guess", Instant.now().getEpochSecond(), "{}"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fake.statusCode()).isEqualTo(400);

        String job = system.submit("a lighthouse", "example-1");
        List<Path> images = system.awaitImages(job, Duration.ofSeconds(60));

        assertThat(images).hasSize(1);
        byte[] png = Files.readAllBytes(images.get(0));
        assertThat(png[1]).isEqualTo((byte) 'P'); // \x89PNG
        assertThat(system.received()).containsSubsequence(job + " job.queued", job + " job.running", job + " job.succeeded");
      }
    }
  }

  private static void awaitHealthy(HttpClient http, URI healthz) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<String> last;
    do {
      last = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() == 200) {
        return;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("not healthy: " + last.statusCode() + " " + last.body());
  }
}
