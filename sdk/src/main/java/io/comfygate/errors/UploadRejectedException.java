package io.comfygate.errors;

/**
 * An uploaded file was not stored (nothing was kept), for the reason in {@link #reason()} and a
 * message that says what was wrong: too large (HTTP 413), over the user's stored bytes (413), not a
 * PNG, JPEG or WebP image (415), more pixels than allowed (400), or an image that is damaged,
 * truncated or of unusable size (400). A user over the <i>number</i> of stored uploads gets a
 * {@link QuotaExceededException} (429) instead.
 */
public class UploadRejectedException extends ComfyException {
  private static final long serialVersionUID = 1L;

  /** Why an upload was refused. */
  public enum Reason {
    /** Larger than the limit ({@link #limit()} bytes, UPLOAD_MAX_BYTES). */
    TOO_LARGE,
    /** Would take the user's stored uploads over {@link #limit()} bytes (UPLOAD_MAX_BYTES_PER_USER). */
    USER_BYTES_QUOTA,
    /** Declares more than {@link #limit()} pixels (UPLOAD_MAX_PIXELS), judged from its header. */
    TOO_MANY_PIXELS,
    /** Not one of the accepted image formats, judged by its content. */
    UNSUPPORTED_TYPE,
    /** Claims an accepted format but is damaged, truncated, empty or of unusable dimensions. */
    MALFORMED
  }

  private final Reason reason;
  private final long limit;

  /**
   * @param limit the limit that was reached: bytes for {@code TOO_LARGE} and {@code USER_BYTES_QUOTA},
   *     pixels for {@code TOO_MANY_PIXELS}, the upload size limit otherwise
   */
  public UploadRejectedException(Reason reason, String message, long limit) {
    super(message);
    this.reason = reason;
    this.limit = limit;
  }

  public Reason reason() {
    return reason;
  }

  /** The limit that was reached: bytes, or pixels for {@link Reason#TOO_MANY_PIXELS}. */
  public long limit() {
    return limit;
  }
}
