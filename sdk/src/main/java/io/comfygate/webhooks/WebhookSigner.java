package io.comfygate.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook deliveries and checks such signatures. The header reads
 * {@code ComfyGate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}: the
 * key is the UTF-8 bytes of the whole secret ({@code whsec_…}), the message the timestamp, a dot
 * and the raw request body. A receiver recomputes it over the body bytes it received, compares in
 * constant time and refuses timestamps older than a few minutes (replays). Stateless, thread-safe.
 */
public final class WebhookSigner {
  /** The signature header. */
  public static final String SIGNATURE_HEADER = "ComfyGate-Signature";
  /** The event id header: the same for every attempt of one event (deduplicate on it). */
  public static final String EVENT_ID_HEADER = "ComfyGate-Event-Id";
  /** The event type header, e.g. {@code job.succeeded}. */
  public static final String EVENT_TYPE_HEADER = "ComfyGate-Event-Type";

  private WebhookSigner() {}

  /** The header value for {@code body} signed at {@code unixSeconds}. */
  public static String sign(String secret, long unixSeconds, String body) {
    return "t=" + unixSeconds + ",v1=" + hmacHex(secret, unixSeconds + "." + body);
  }

  /**
   * Whether {@code header} is a valid signature of {@code body} with {@code secret}, made no more
   * than {@code tolerance} before or after {@code now}. Any malformed header is simply invalid.
   */
  public static boolean verify(String secret, String header, String body, Instant now, Duration tolerance) {
    if (header == null) {
      return false;
    }
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String p = part.strip();
      if (p.startsWith("t=") && p.substring(2).matches("\\d{1,12}")) {
        t = Long.parseLong(p.substring(2));
      } else if (p.startsWith("v1=")) {
        v1 = p.substring(3);
      }
    }
    if (t == null || v1 == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
      return false;
    }
    byte[] expected = hmacHex(secret, t + "." + body).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
  }

  static String hmacHex(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
