package io.comfygate.errors;

/**
 * Root of every exception the ComfyGate SDK throws. Unchecked: callers catch the subtype that
 * matches what they can do about it (retry later, fix the input, give up), not this root.
 *
 * <p>Messages carry the state needed to understand the failure without a debugger; the cause is
 * always kept.
 */
public class ComfyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ComfyException(String message) {
    super(message);
  }

  public ComfyException(String message, Throwable cause) {
    super(message, cause);
  }
}
