package io.comfygate.remote.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
  private static final String SECRET = "whsec_0123456789abcdef";
  private static final byte[] BODY = "{\"event_id\":\"e1\",\"type\":\"job.succeeded\"}".getBytes(StandardCharsets.UTF_8);
  private final WebhookVerifier verifier = new WebhookVerifier(SECRET, Duration.ofMinutes(5));

  /** The header as docs/webhooks.md defines it, computed here independently of the verifier. */
  private static String header(String secret, long t, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void aGenuineSignaturePassesAndEveryAlterationFails() throws Exception {
    Instant now = Instant.ofEpochSecond(1_764_170_000L);
    String genuine = header(SECRET, now.getEpochSecond(), BODY);

    assertThat(verifier.verify(genuine, BODY, now)).isTrue();
    assertThat(verifier.verify(genuine, BODY, now.plusSeconds(299))).as("within the tolerance").isTrue();
    assertThat(verifier.sign(BODY, now)).isEqualTo(genuine);
    assertThat(verifier.verify(genuine, "{\"event_id\":\"e1\",\"type\":\"job.failed\"}".getBytes(StandardCharsets.UTF_8), now))
        .as("tampered body").isFalse();
    String forged = genuine.substring(0, genuine.length() - 1) + (genuine.endsWith("0") ? "1" : "0");
    assertThat(verifier.verify(forged, BODY, now)).as("tampered signature").isFalse();
    assertThat(verifier.verify(genuine, BODY, now.plus(Duration.ofMinutes(6)))).as("stale: a replay").isFalse();
    assertThat(verifier.verify(header("whsec_other", now.getEpochSecond(), BODY), BODY, now)).as("other secret").isFalse();
    assertThat(verifier.verify(null, BODY, now)).isFalse();
    assertThat(verifier.verify("t=abc,v1=00", BODY, now)).isFalse();
    assertThat(verifier.verify("v1=" + genuine.substring(genuine.indexOf("v1=") + 3), BODY, now)).as("no t").isFalse();
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new WebhookVerifier("", Duration.ofMinutes(1))).hasMessageContaining("secret");
    assertThatThrownBy(() -> new WebhookVerifier(SECRET, Duration.ZERO)).hasMessageContaining("tolerance");
  }
}
