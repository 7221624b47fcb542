package io.comfygate.errors;

/**
 * The server could not be reached at all (connection refused, unknown host, connect timeout), so
 * the request was never processed and is safe to retry later or against another server.
 */
public class ComfyUnavailableException extends ComfyIoException {
  private static final long serialVersionUID = 1L;

  public ComfyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
