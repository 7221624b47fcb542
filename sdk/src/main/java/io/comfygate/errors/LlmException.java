package io.comfygate.errors;

/**
 * A call to the optional LLM prompt helper failed. {@link #kind()} says what the caller can do:
 * retry later ({@link Kind#TIMEOUT}, {@link Kind#UNREACHABLE}, a 5xx {@link Kind#HTTP}), fix the
 * settings (a 401/404 {@link Kind#HTTP}, {@link Kind#DISABLED}), or report a server that does not
 * speak the OpenAI format ({@link Kind#MALFORMED}). The message names the server (never the API
 * key) and the reason, e.g. {@code "LLM at http://127.0.0.1:1234 answered HTTP 401: Incorrect API
 * key provided."}.
 */
public class LlmException extends ComfyException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, coarse enough to act on. */
  public enum Kind {
    /** The server answered with a non-2xx status; see {@link #status()}. */
    HTTP,
    /** No answer within the configured timeout. */
    TIMEOUT,
    /** No connection (refused, unknown host, connect timeout) or the connection broke. */
    UNREACHABLE,
    /** A 2xx answer that is not the expected OpenAI shape, or an empty reply. */
    MALFORMED,
    /** The helper is turned off (LLM_BASE_URL not set). */
    DISABLED,
    /** The calling thread was interrupted; its interrupt flag is set again. */
    INTERRUPTED
  }

  private final Kind kind;
  private final int status;

  public LlmException(Kind kind, String message) {
    this(kind, 0, message, null);
  }

  public LlmException(Kind kind, String message, Throwable cause) {
    this(kind, 0, message, cause);
  }

  /** An HTTP error answer; {@code status} is the HTTP status. */
  public LlmException(int status, String message) {
    this(Kind.HTTP, status, message, null);
  }

  private LlmException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status for {@link Kind#HTTP}; 0 for every other kind. */
  public int status() {
    return status;
  }
}
