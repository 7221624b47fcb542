package io.comfygate.client;

import io.comfygate.events.ComfyEvent;
import java.util.List;
import java.util.Optional;

/**
 * A finished prompt from {@code /history}. ComfyUI writes history only when a prompt ends
 * (success, error or interrupt) and keeps it in memory: a restart forgets it.
 *
 * @param promptId the prompt
 * @param status how it ended
 * @param outputs every file named in {@code outputs}, in node order
 * @param messages the run's recorded events ({@code execution_start}, {@code execution_error}, …)
 */
public record HistoryEntry(String promptId, Status status, List<OutputFile> outputs, List<ComfyEvent> messages) {
  public HistoryEntry {
    outputs = List.copyOf(outputs);
    messages = List.copyOf(messages);
  }

  /** How a prompt ended, derived from {@code status.status_str} and {@code messages}. */
  public enum Status {
    SUCCESS,
    ERROR,
    INTERRUPTED,
    /** Servers before 2024-01 record no status. */
    UNKNOWN
  }

  /** The recorded {@code execution_error}, if any. */
  public Optional<ComfyEvent.ExecutionError> error() {
    return messages.stream().filter(ComfyEvent.ExecutionError.class::isInstance)
        .map(ComfyEvent.ExecutionError.class::cast).findFirst();
  }
}
