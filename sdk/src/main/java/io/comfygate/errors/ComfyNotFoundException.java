package io.comfygate.errors;

/** 404: the file, route or entry does not exist (for example {@code /view} of a missing output). */
public class ComfyNotFoundException extends ComfyHttpException {
  private static final long serialVersionUID = 1L;

  public ComfyNotFoundException(String message, int status, String body) {
    super(message, status, body);
  }
}
