package io.comfygate.errors;

import java.util.List;

/**
 * Start-up configuration is unusable: a setting has a bad value, or the {@code .env} file cannot be
 * read or parsed. Nothing should start after this; the message is meant to be shown to the operator
 * as is.
 *
 * <p>Every problem found is reported at once (one per line), so an operator fixes them in one
 * round instead of one restart per mistake. Each problem names the key, the value, where the value
 * came from and what is allowed, e.g. {@code Invalid setting JOB_TIMEOUT_SECONDS="abc" (from .env
 * line 7): must be a whole number of seconds > 0}. Secret values are masked.
 */
public class InvalidSettingsException extends ComfyException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @param problems one human-readable line per problem; must not be empty
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public InvalidSettingsException(List<String> problems) {
    this(problems, null);
  }

  /**
   * @param problems one human-readable line per problem; must not be empty
   * @param cause the underlying failure (e.g. an I/O error reading the file), may be null
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public InvalidSettingsException(List<String> problems, Throwable cause) {
    super(message(problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** The problems found, one human-readable line each, in key-table order. Never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    if (problems.size() == 1) {
      return problems.get(0);
    }
    return problems.size() + " invalid settings:\n" + String.join("\n", problems);
  }
}
