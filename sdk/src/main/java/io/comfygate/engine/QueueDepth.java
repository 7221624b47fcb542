package io.comfygate.engine;

import java.util.List;
import java.util.Map;

/**
 * How full the queue is at one instant: waiting jobs per user and the jobs on each backend. Cheap
 * to take (counts copied under the engine's lock, no job snapshots), so a metrics scrape or a
 * dashboard may take one every few seconds. Immutable.
 *
 * @param waitingByUser jobs not yet handed to a backend, per user; only users with at least one
 *     waiting job appear, in the order their turns come
 * @param backends every configured backend, in configuration order
 */
public record QueueDepth(Map<String, Integer> waitingByUser, List<BackendLoad> backends) {
  public QueueDepth {
    waitingByUser = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(waitingByUser));
    backends = List.copyOf(backends);
  }

  /** Jobs waiting for a backend, all users together. */
  public int totalWaiting() {
    return waitingByUser.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * One backend's load.
   *
   * @param name its host:port, as jobs and health checks name it
   * @param healthy whether it is given jobs (false while it is down)
   * @param queued jobs handed to it that wait in ComfyUI's own queue
   * @param running jobs it runs now
   */
  public record BackendLoad(String name, boolean healthy, int queued, int running) {}
}
