package io.comfygate.client;

import io.comfygate.events.ComfyEvent;

/**
 * How a watched prompt ended, as confirmed by ComfyUI's history or queue (never by a WebSocket
 * event alone). Dispatch with {@code instanceof}.
 */
public sealed interface PromptOutcome {
  String promptId();

  /**
   * The prompt finished and its history is written. Servers that record no status (before
   * 2024-01) also land here unless an {@code execution_error} was seen.
   */
  record Succeeded(String promptId, HistoryEntry history) implements PromptOutcome {}

  /** A node failed; {@code history} is null if the failure was only seen on the WebSocket. */
  record Failed(String promptId, String message, String nodeId, String exceptionType, HistoryEntry history)
      implements PromptOutcome {
    static Failed from(String promptId, ComfyEvent.ExecutionError e, HistoryEntry history) {
      return new Failed(promptId, e.exceptionMessage(), e.nodeId(), e.exceptionType(), history);
    }
  }

  /** The prompt was interrupted while running. */
  record Interrupted(String promptId, HistoryEntry history) implements PromptOutcome {}

  /**
   * The prompt is neither queued nor in history: deleted from the queue, or the server restarted
   * and forgot it, or (for {@code track}) it never existed.
   */
  record Vanished(String promptId) implements PromptOutcome {}
}
