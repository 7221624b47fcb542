package io.comfygate.remote.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the {@code ComfyGate-Signature} header of a webhook delivery:
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, with the key's webhook
 * secret ({@code whsec_…}) as its UTF-8 bytes and the raw body bytes as received. A timestamp more
 * than {@code tolerance} away from now is refused (a replayed capture). Compares in constant time.
 * Immutable and thread-safe.
 */
public final class WebhookVerifier {
  /** The header that carries the signature. */
  public static final String SIGNATURE_HEADER = "ComfyGate-Signature";
  /** The header that carries the event id (repeated on a redelivery: deduplicate on it). */
  public static final String EVENT_ID_HEADER = "ComfyGate-Event-Id";

  private final byte[] secret;
  private final Duration tolerance;

  /**
   * @param secret the key's webhook secret, as issued ({@code whsec_…})
   * @param tolerance how far the signature's time may be from now (a few minutes)
   */
  public WebhookVerifier(String secret, Duration tolerance) {
    if (Objects.requireNonNull(secret, "secret").isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    if (Objects.requireNonNull(tolerance, "tolerance").isNegative() || tolerance.isZero()) {
      throw new IllegalArgumentException("tolerance must be > 0: " + tolerance);
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.tolerance = tolerance;
  }

  /** Whether {@code header} signs {@code body} with this secret at a time within the tolerance of {@code now}. */
  public boolean verify(String header, byte[] body, Instant now) {
    if (header == null || body == null) {
      return false;
    }
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String p = part.strip();
      if (p.startsWith("t=")) {
        t = p.substring(2);
      } else if (p.startsWith("v1=")) {
        v1 = p.substring(3);
      }
    }
    if (t == null || v1 == null || !t.matches("\\d{1,12}")
        || Math.abs(now.getEpochSecond() - Long.parseLong(t)) > tolerance.toSeconds()) {
      return false;
    }
    byte[] expected = HexFormat.of().formatHex(hmac(t, body)).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
  }

  /** The header ComfyGate would send for {@code body} at {@code time} (for a receiver's own tests). */
  public String sign(byte[] body, Instant time) {
    String t = Long.toString(time.getEpochSecond());
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(hmac(t, body));
  }

  private byte[] hmac(String t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
