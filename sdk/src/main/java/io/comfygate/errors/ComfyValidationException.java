package io.comfygate.errors;

import java.util.Map;

/**
 * ComfyUI rejected a prompt before queueing it (400 from {@code POST /prompt}). Nothing was queued
 * and nothing will run: fix the workflow instead of retrying.
 *
 * <p>{@link #errorType()} is ComfyUI's {@code error.type} ({@code prompt_outputs_failed_validation},
 * {@code invalid_prompt}, {@code prompt_no_outputs}, {@code no_prompt}); servers before 0.3.28 sent
 * {@code error} as a bare string, which becomes the message with an empty type.
 */
public class ComfyValidationException extends ComfyHttpException {
  private static final long serialVersionUID = 1L;

  private final String errorType;
  private final String errorMessage;
  private final String details;
  private final transient Map<String, NodeError> nodeErrors;

  public ComfyValidationException(
      String message, String body, String errorType, String errorMessage, String details,
      Map<String, NodeError> nodeErrors) {
    super(message, 400, body);
    this.errorType = errorType == null ? "" : errorType;
    this.errorMessage = errorMessage == null ? "" : errorMessage;
    this.details = details == null ? "" : details;
    this.nodeErrors = Map.copyOf(nodeErrors);
  }

  /** ComfyUI's {@code error.type}, or empty for servers that sent a bare string. */
  public String errorType() {
    return errorType;
  }

  /** ComfyUI's {@code error.message}. */
  public String errorMessage() {
    return errorMessage;
  }

  /** ComfyUI's {@code error.details}, often the failing node id or input; may be empty. */
  public String details() {
    return details;
  }

  /** Per-node problems keyed by node id; empty when the error is about the prompt as a whole. */
  public Map<String, NodeError> nodeErrors() {
    return nodeErrors == null ? Map.of() : nodeErrors;
  }
}
