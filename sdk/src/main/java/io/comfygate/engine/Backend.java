package io.comfygate.engine;

import io.comfygate.client.ComfyClient;
import io.comfygate.jobs.JobId;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One ComfyUI server and the jobs handed to it. ComfyUI runs one prompt at a time; we keep up to
 * {@link #CAPACITY} of ours there, so the next one is already in ComfyUI's own queue when the
 * running one ends and the GPU does not wait for a round trip through us. Mutable state is
 * guarded by the engine's scheduling lock.
 */
final class Backend {
  /** One running plus one waiting right behind it in ComfyUI's queue. */
  static final int CAPACITY = 2;

  final String name;
  final ComfyClient client;
  /**
   * Sends this backend's prompts one at a time, in the order they were promoted: two POSTs racing
   * on two threads could reach ComfyUI in the other order and undo the fair order.
   */
  final java.util.concurrent.ExecutorService sender;
  final Set<JobId> dispatched = new LinkedHashSet<>();
  boolean healthy = true;
  String downReason;
  /**
   * Prompts of jobs that ended failed while this backend was unreachable. ComfyUI may still hold
   * them (a network split, not a restart): they are deleted there when it is back, so the GPU does
   * not run work nobody waits for.
   */
  final Set<String> orphans = new LinkedHashSet<>();
  java.time.Instant downSince = java.time.Instant.EPOCH;
  /**
   * Input images this backend has received: upload id to the name its LoadImage reads. Forgotten
   * when it goes down (it may come back as a fresh server) or refuses a workflow.
   */
  final java.util.Map<String, String> inputs = new java.util.concurrent.ConcurrentHashMap<>();

  Backend(String name, ComfyClient client, java.util.concurrent.ExecutorService sender) {
    this.name = name;
    this.client = client;
    this.sender = sender;
  }

  /**
   * Whether ComfyUI has {@code promptId}, queued, running or in its history (a prompt ComfyUI
   * never received, or forgot in a restart, is in none of them).
   *
   * @throws io.comfygate.errors.ComfyException if ComfyUI cannot be asked
   */
  boolean knows(String promptId) {
    return client.queue().contains(promptId) || client.history(promptId).isPresent();
  }

  int freeSlots() {
    return healthy ? Math.max(0, CAPACITY - dispatched.size()) : 0;
  }

  @Override
  public String toString() {
    return name;
  }
}
