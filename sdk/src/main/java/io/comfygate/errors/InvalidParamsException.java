package io.comfygate.errors;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A job's parameters do not fit its template (HTTP 400). Carries one {@link Problem} per bad field,
 * so a form can mark each field, and a message that names them all. Nothing was stored or queued.
 */
public class InvalidParamsException extends ComfyException {
  private static final long serialVersionUID = 1L;

  /** One bad field: its name as the caller sent it, and what is wrong with it. */
  public record Problem(String field, String reason) {
    @Override
    public String toString() {
      return field + ": " + reason;
    }
  }

  private final transient List<Problem> problems;

  public InvalidParamsException(List<Problem> problems) {
    super("Invalid parameters: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    this.problems = List.copyOf(problems);
  }

  public InvalidParamsException(String field, String reason) {
    this(List.of(new Problem(field, reason)));
  }

  /** Every bad field, in the template's parameter order. */
  public List<Problem> problems() {
    return problems;
  }
}
