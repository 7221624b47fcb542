package io.comfygate.errors;

import java.time.Duration;

/**
 * A call did not finish within its deadline. The message names the call and the deadline. The
 * server may still process the request.
 */
public class ComfyTimeoutException extends ComfyException {
  private static final long serialVersionUID = 1L;

  private final transient Duration deadline;

  public ComfyTimeoutException(String message, Duration deadline, Throwable cause) {
    super(message, cause);
    this.deadline = deadline;
  }

  /** The deadline that ran out. */
  public Duration deadline() {
    return deadline;
  }
}
