package io.comfygate.errors;

/** The server answered with something ComfyUI never sends (not JSON, wrong shape). */
public class ComfyProtocolException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public ComfyProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
