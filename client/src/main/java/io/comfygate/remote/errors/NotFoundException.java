package io.comfygate.remote.errors;

/** No such job, image, upload, key or event, or another user's (404). */
public class NotFoundException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(int status, String code, String message) {
    super(status, code, message, null);
  }
}
