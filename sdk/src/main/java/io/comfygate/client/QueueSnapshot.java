package io.comfygate.client;

import java.util.List;

/**
 * The server's queue at one instant. {@code pending} is sorted by run order (ComfyUI returns it
 * unsorted). Core ComfyUI runs one prompt at a time, so {@code running} has at most one entry.
 */
public record QueueSnapshot(List<Item> running, List<Item> pending) {
  public QueueSnapshot {
    running = List.copyOf(running);
    pending = List.copyOf(pending);
  }

  /** True if {@code promptId} is running or pending. */
  public boolean contains(String promptId) {
    return isRunning(promptId) || isPending(promptId);
  }

  /** True if {@code promptId} is running. */
  public boolean isRunning(String promptId) {
    return running.stream().anyMatch(i -> i.promptId().equals(promptId));
  }

  /** True if {@code promptId} waits in the queue. */
  public boolean isPending(String promptId) {
    return pending.stream().anyMatch(i -> i.promptId().equals(promptId));
  }

  /**
   * One queued prompt.
   *
   * @param promptId its id
   * @param number its priority (lower runs first; negative for {@code front})
   * @param clientId the submitter's client id, or null if it sent none
   */
  public record Item(String promptId, double number, String clientId) {}
}
