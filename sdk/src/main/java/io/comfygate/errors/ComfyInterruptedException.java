package io.comfygate.errors;

/**
 * The calling thread was interrupted while waiting for ComfyUI. The thread's interrupt flag has
 * been restored before this is thrown.
 */
public class ComfyInterruptedException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public ComfyInterruptedException(String message, InterruptedException cause) {
    super(message, cause);
  }
}
