package io.comfygate.client;

import io.comfygate.errors.NodeError;
import java.util.Map;

/**
 * ComfyUI queued the prompt. {@code nodeErrors} may be non-empty even so: outputs that failed
 * validation were dropped and the others will run.
 *
 * @param promptId the id the server uses (read it from here: servers before 0.3.45 ignore ours)
 * @param number queue priority
 * @param nodeErrors rejected nodes by id
 */
public record PromptAccepted(String promptId, double number, Map<String, NodeError> nodeErrors) {
  public PromptAccepted {
    nodeErrors = Map.copyOf(nodeErrors);
  }
}
