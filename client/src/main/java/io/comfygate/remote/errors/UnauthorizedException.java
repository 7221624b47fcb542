package io.comfygate.remote.errors;

/** Wrong or revoked credentials (401): fix the API key or password; retrying will not help. */
public class UnauthorizedException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public UnauthorizedException(int status, String code, String message) {
    super(status, code, message, null);
  }
}
