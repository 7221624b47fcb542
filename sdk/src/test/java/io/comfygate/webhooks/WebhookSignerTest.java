package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  private static final String SECRET = "whsec_test";
  private static final String BODY = "{\"event_id\":\"e1\",\"type\":\"job.succeeded\"}";
  private static final Instant AT = Instant.ofEpochSecond(1_700_000_000L);
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  @Test
  void theMacIsHmacSha256InHex() {
    // RFC 4231, test case 2.
    assertThat(WebhookSigner.hmacHex("Jefe", "what do ya want for nothing?"))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void theHeaderSignsTheTimestampADotAndTheBody() {
    assertThat(WebhookSigner.sign(SECRET, 1_700_000_000L, BODY))
        .isEqualTo("t=1700000000,v1=" + WebhookSigner.hmacHex(SECRET, "1700000000." + BODY));
    // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
    assertThat(WebhookSigner.sign(SECRET, 1_700_000_000L, "{}"))
        .isEqualTo("t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
  }

  @Test
  void aGenuineSignatureVerifies() {
    String header = WebhookSigner.sign(SECRET, AT.getEpochSecond(), BODY);
    assertThat(WebhookSigner.verify(SECRET, header, BODY, AT.plusSeconds(30), FIVE_MINUTES)).isTrue();
  }

  @Test
  void aTamperedBodyAnotherSecretAStaleOrMalformedHeaderDoNot() {
    String header = WebhookSigner.sign(SECRET, AT.getEpochSecond(), BODY);
    assertThat(WebhookSigner.verify(SECRET, header, BODY.replace("succeeded", "failed"), AT, FIVE_MINUTES)).isFalse();
    assertThat(WebhookSigner.verify("whsec_other", header, BODY, AT, FIVE_MINUTES)).isFalse();
    assertThat(WebhookSigner.verify(SECRET, header, BODY, AT.plus(Duration.ofMinutes(6)), FIVE_MINUTES)).isFalse();
    assertThat(WebhookSigner.verify(SECRET, header.replace("t=1700000000", "t=1700000001"), BODY, AT, FIVE_MINUTES))
        .as("timestamp is signed too").isFalse();
    assertThat(WebhookSigner.verify(SECRET, "v1=abc", BODY, AT, FIVE_MINUTES)).isFalse();
    assertThat(WebhookSigner.verify(SECRET, null, BODY, AT, FIVE_MINUTES)).isFalse();
  }
}
