package io.comfygate.remote.errors;

/**
 * ComfyGate cannot serve now: no healthy ComfyUI or a busy database (503), no connection, or an
 * answer from something that is not ComfyGate (a proxy's 404 or 502 while the WAR is redeployed).
 * Retrying later may succeed.
 */
public class UnavailableException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(int status, String code, String message, Throwable cause) {
    super(status, code, message, cause);
  }
}
