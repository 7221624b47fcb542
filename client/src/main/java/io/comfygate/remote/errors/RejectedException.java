package io.comfygate.remote.errors;

/** The server refused the request as given (400 bad_request, 413, 415 …): change the request. */
public class RejectedException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public RejectedException(int status, String code, String message) {
    super(status, code, message, null);
  }
}
