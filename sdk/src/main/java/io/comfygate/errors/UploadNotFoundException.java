package io.comfygate.errors;

/**
 * No such upload for this caller (HTTP 404): it does not exist, was removed after its retention, or
 * belongs to another user (not told apart, so upload ids cannot be probed).
 */
public class UploadNotFoundException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public UploadNotFoundException(String uploadId) {
    super("No upload " + uploadId);
  }
}
