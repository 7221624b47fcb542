package io.comfygate.errors;

/**
 * No such job for this caller (HTTP 404): it does not exist, or it belongs to another user (the
 * two are not told apart, so job ids cannot be probed).
 */
public class JobNotFoundException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public JobNotFoundException(String jobId) {
    super("No job " + jobId);
  }
}
