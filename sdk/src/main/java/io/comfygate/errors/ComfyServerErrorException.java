package io.comfygate.errors;

/** A 5xx status. ComfyUI answers 500 with the plain text "Server got itself in trouble" for any uncaught exception, typically a malformed request body or an unknown upload {@code type}. */
public class ComfyServerErrorException extends ComfyHttpException {
  private static final long serialVersionUID = 1L;

  public ComfyServerErrorException(String message, int status, String body) {
    super(message, status, body);
  }
}
