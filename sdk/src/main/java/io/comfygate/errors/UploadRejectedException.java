package io.comfygate.errors;

/**
 * An uploaded file was not stored (nothing was kept), for the reason in {@link #reason()} and a
 * message that says what was wrong: too large (HTTP 413), not a PNG, JPEG or WebP image (415), or an
 * image that is damaged, truncated or of unusable size (400).
 */
public class UploadRejectedException extends ComfyException {
  private static final long serialVersionUID = 1L;

  /** Why an upload was refused. */
  public enum Reason {
    /** Larger than the limit ({@link #limitBytes()}). */
    TOO_LARGE,
    /** Not one of the accepted image formats, judged by its content. */
    UNSUPPORTED_TYPE,
    /** Claims an accepted format but is damaged, truncated, empty or of unusable dimensions. */
    MALFORMED
  }

  private final Reason reason;
  private final long limitBytes;

  public UploadRejectedException(Reason reason, String message, long limitBytes) {
    super(message);
    this.reason = reason;
    this.limitBytes = limitBytes;
  }

  public Reason reason() {
    return reason;
  }

  /** The size limit in bytes (UPLOAD_MAX_BYTES). */
  public long limitBytes() {
    return limitBytes;
  }
}
