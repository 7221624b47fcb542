package io.comfygate.examples.external;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the {@code ComfyGate-Signature} header of a webhook, as every receiver should before it
 * trusts the body: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}. Plain JDK,
 * no ComfyGate classes: copy it into any Java receiver (see docs/webhooks.md).
 */
public final class WebhookVerifier {
  private final byte[] secret;
  private final Duration tolerance;

  /**
   * @param webhookSecret the API key's webhook secret ({@code whsec_…}), shown when the key was issued
   * @param tolerance how old (or how far ahead) a signature may be; 5 minutes is usual
   */
  public WebhookVerifier(String webhookSecret, Duration tolerance) {
    this.secret = webhookSecret.getBytes(StandardCharsets.UTF_8);
    this.tolerance = tolerance;
  }

  /** True only if {@code header} signs exactly these body bytes, recently enough. */
  public boolean verify(String header, byte[] body, Instant now) {
    if (header == null) {
      return false;
    }
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        t = part.substring(2);
      } else if (part.startsWith("v1=")) {
        v1 = part.substring(3);
      }
    }
    if (t == null || v1 == null || !t.matches("\\d{1,12}")
        || Math.abs(now.getEpochSecond() - Long.parseLong(t)) > tolerance.toSeconds()) {
      return false; // malformed, or stale: a replayed old delivery
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
      return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII)); // constant time
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
