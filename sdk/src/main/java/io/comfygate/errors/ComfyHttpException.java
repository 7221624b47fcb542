package io.comfygate.errors;

/**
 * ComfyUI answered with a status the call does not accept. Subclasses name the statuses a caller
 * can act on; this class covers the rest. {@link #body()} is the server's text, trimmed to a few
 * kilobytes, because ComfyUI's error bodies are often plain text that explains the failure.
 */
public class ComfyHttpException extends ComfyException {
  private static final long serialVersionUID = 1L;
  static final int MAX_BODY_CHARS = 4096;

  private final int status;
  private final String body;

  public ComfyHttpException(String message, int status, String body) {
    super(message);
    this.status = status;
    this.body = trim(body);
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The response body as text (possibly empty, never null), cut at 4096 characters. */
  public String body() {
    return body;
  }

  private static String trim(String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= MAX_BODY_CHARS ? body : body.substring(0, MAX_BODY_CHARS) + "…";
  }
}
