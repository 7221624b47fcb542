package io.comfygate.remote.errors;

/** The caller lacks the role the operation needs (403), e.g. a user calling an admin operation. */
public class ForbiddenException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public ForbiddenException(int status, String code, String message) {
    super(status, code, message, null);
  }
}
