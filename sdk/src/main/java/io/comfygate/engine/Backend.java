package io.comfygate.engine;

import io.comfygate.client.ComfyClient;
import io.comfygate.jobs.JobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * One ComfyUI server and the jobs handed to it. ComfyUI runs one prompt at a time; we keep up to
 * {@link #CAPACITY} of ours there, so the next one is already in ComfyUI's own queue when the
 * running one ends and the GPU does not wait for a round trip through us.
 *
 * <p>Its scheduling state (slots, health, orphans) is changed only by {@link JobBoard}, under the
 * board's lock: the {@code …Locked} methods assert it. Health can be read without the lock.
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
  final ExecutorService sender;
  /**
   * Input images this backend has received: upload id to the name its LoadImage reads. Forgotten
   * when it goes down (it may come back as a fresh server) or refuses a workflow. Thread-safe.
   */
  final Map<String, String> inputs = new ConcurrentHashMap<>();

  private Object lock; // the board's, given once when the board takes this backend
  private final Set<JobId> dispatched = new LinkedHashSet<>();
  /**
   * Prompts of jobs that ended failed while this backend was unreachable. ComfyUI may still hold
   * them (a network split, not a restart): they are deleted there when it is back, so the GPU does
   * not run work nobody waits for.
   */
  private final Set<String> orphans = new LinkedHashSet<>();
  private volatile boolean healthy = true;
  private volatile String downReason;
  private volatile Instant downSince = Instant.EPOCH;

  Backend(String name, ComfyClient client, ExecutorService sender) {
    this.name = name;
    this.client = client;
    this.sender = sender;
  }

  void guardedBy(Object boardLock) {
    if (lock != null) {
      throw new IllegalStateException("backend " + name + " already belongs to a board");
    }
    lock = boardLock;
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

  boolean healthy() {
    return healthy;
  }

  String downReason() {
    return downReason;
  }

  Instant downSince() {
    return downSince;
  }

  int freeSlotsLocked() {
    assert Thread.holdsLock(lock);
    return healthy ? Math.max(0, CAPACITY - dispatched.size()) : 0;
  }

  /** The jobs handed to it, in the order they were; a read-only view, valid under the lock. */
  Set<JobId> dispatchedLocked() {
    assert Thread.holdsLock(lock);
    return Collections.unmodifiableSet(dispatched);
  }

  void takeLocked(JobId id) {
    assert Thread.holdsLock(lock);
    dispatched.add(id);
  }

  void giveBackLocked(JobId id) {
    assert Thread.holdsLock(lock);
    dispatched.remove(id);
  }

  /** @return false if it was down already (only the reason is updated) */
  boolean markDownLocked(String reason, Instant now) {
    assert Thread.holdsLock(lock);
    downReason = reason;
    if (!healthy) {
      return false;
    }
    healthy = false;
    downSince = now;
    inputs.clear();
    return true;
  }

  /** @return false if it was up already */
  boolean markUpLocked() {
    assert Thread.holdsLock(lock);
    if (healthy) {
      return false;
    }
    healthy = true;
    downReason = null;
    inputs.clear();
    return true;
  }

  void orphanLocked(String promptId) {
    assert Thread.holdsLock(lock);
    orphans.add(promptId);
  }

  List<String> takeOrphansLocked() {
    assert Thread.holdsLock(lock);
    List<String> out = new ArrayList<>(orphans);
    orphans.clear();
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}
