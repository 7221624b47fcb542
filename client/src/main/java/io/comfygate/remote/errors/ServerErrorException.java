package io.comfygate.remote.errors;

/** Something failed on the server (500 and other 5xx); {@link #errorId()} finds it in the server's log. */
public class ServerErrorException extends ComfyGateException {
  private static final long serialVersionUID = 1L;
  private final String errorId;

  public ServerErrorException(int status, String code, String message, String errorId) {
    super(status, code, message, null);
    this.errorId = errorId;
  }

  /** The id the server logged the failure under, or null. */
  public String errorId() {
    return errorId;
  }
}
