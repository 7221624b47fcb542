package io.comfygate.errors;

/**
 * A transport failure after the request may have reached the server (connection reset, body cut
 * off) or a local file failure during a download or upload. A submission that fails this way may
 * have been queued: check {@code /queue} before submitting again.
 */
public class ComfyIoException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public ComfyIoException(String message, Throwable cause) {
    super(message, cause);
  }
}
