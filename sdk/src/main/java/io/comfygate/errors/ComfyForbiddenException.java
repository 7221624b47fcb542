package io.comfygate.errors;

/**
 * 403. From ComfyUI this is almost always its origin check: the request carried an {@code Origin}
 * header whose host differs from {@code Host} while the server listens on loopback. Typical cause
 * is a reverse proxy that rewrites {@code Host}; the message carries that hint. {@code /view} also
 * answers 403 for a subfolder outside the output directory.
 */
public class ComfyForbiddenException extends ComfyHttpException {
  private static final long serialVersionUID = 1L;

  public ComfyForbiddenException(String message, int status, String body) {
    super(message, status, body);
  }
}
