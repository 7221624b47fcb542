package io.comfygate.errors;

/** 413: the request body is larger than the server's {@code --max-upload-size} (100 MiB by default; the prompt counts too). */
public class ComfyPayloadTooLargeException extends ComfyHttpException {
  private static final long serialVersionUID = 1L;

  public ComfyPayloadTooLargeException(String message, int status, String body) {
    super(message, status, body);
  }
}
