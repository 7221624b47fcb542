package io.comfygate.web.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may scrape without signing in: anyone when METRICS_PUBLIC=true (a private network), else a
 * caller presenting METRICS_TOKEN as {@code Authorization: Bearer}. Everyone else needs the admin
 * role, checked by {@link MetricsServlet}. Immutable.
 */
final class MetricsAccess {
  private final boolean open;
  private final byte[] tokenHash;

  MetricsAccess(boolean open, String token) {
    this.open = open;
    this.tokenHash = token == null || token.isEmpty() ? null : sha256(token);
  }

  /** Whether the request may scrape as it is, with no user identity. */
  boolean letsIn(String authorization) {
    if (open) {
      return true;
    }
    if (tokenHash == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // Hashes compared in constant time: neither the token's length nor a prefix leaks by timing.
    return MessageDigest.isEqual(tokenHash, sha256(authorization.substring(7).strip()));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
