package io.comfygate.remote.errors;

import java.util.List;

/** The job's params (or another request field) do not fit (400 invalid_params): each bad field and why. */
public class InvalidParamsException extends ComfyGateException {
  private static final long serialVersionUID = 1L;
  private final List<Problem> problems;

  public InvalidParamsException(String message, List<Problem> problems) {
    super(400, "invalid_params", message, null);
    this.problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** Each bad field and why, in the server's order. */
  public List<Problem> problems() {
    return problems;
  }

  /** One bad field. */
  public record Problem(String field, String reason) implements java.io.Serializable {}
}
