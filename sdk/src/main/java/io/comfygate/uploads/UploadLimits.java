package io.comfygate.uploads;

import java.time.Duration;

/**
 * What one upload may be and how much a user may keep: each file at most {@code maxBytes}
 * (UPLOAD_MAX_BYTES) and {@code maxPixels} (UPLOAD_MAX_PIXELS, judged from the image header before
 * anything is decoded); per user at most {@code maxPerUser} uploads (UPLOAD_MAX_PER_USER) and
 * {@code maxBytesPerUser} bytes (UPLOAD_MAX_BYTES_PER_USER) kept at once. An upload counts until it
 * is {@code retention} old (UPLOAD_RETENTION_HOURS), when the sweep removes it, or until it is
 * removed earlier.
 *
 * @param maxBytes the largest file accepted, in bytes
 * @param maxPixels the most pixels (width times height) an image may declare
 * @param maxPerUser how many uploads one user may have kept at once
 * @param maxBytesPerUser how many bytes of uploads one user may have kept at once
 * @param retention how long an upload is kept (and counts against its owner's quota)
 */
public record UploadLimits(long maxBytes, long maxPixels, int maxPerUser, long maxBytesPerUser, Duration retention) {
  /** The defaults of the settings: 20 MiB, 16 MP (4096 x 4096), 100 uploads and 256 MiB per user, 24 h. */
  public static final UploadLimits DEFAULTS =
      new UploadLimits(20L * 1024 * 1024, 16_777_216, 100, 256L * 1024 * 1024, Duration.ofHours(24));

  /** @throws IllegalArgumentException naming the first value that is not positive */
  public UploadLimits {
    positive(maxBytes, "maxBytes");
    positive(maxPixels, "maxPixels");
    positive(maxPerUser, "maxPerUser");
    positive(maxBytesPerUser, "maxBytesPerUser");
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be > 0: " + retention);
    }
  }

  /** These limits with another per-file size limit. */
  public UploadLimits withMaxBytes(long bytes) {
    return new UploadLimits(bytes, maxPixels, maxPerUser, maxBytesPerUser, retention);
  }

  /** These limits with another retention. */
  public UploadLimits withRetention(Duration keep) {
    return new UploadLimits(maxBytes, maxPixels, maxPerUser, maxBytesPerUser, keep);
  }

  /** These limits with another per-user quota and pixel limit. */
  public UploadLimits withQuota(int perUser, long bytesPerUser, long pixels) {
    return new UploadLimits(maxBytes, pixels, perUser, bytesPerUser, retention);
  }

  private static void positive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be > 0: " + value);
    }
  }
}
