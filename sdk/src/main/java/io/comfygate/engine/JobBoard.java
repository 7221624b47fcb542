package io.comfygate.engine;

import io.comfygate.jobs.JobId;
import io.comfygate.queue.FairQueue;
import io.comfygate.queue.QuotaPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the engine schedules, under one lock: the waiting room ({@link FairQueue}), the backends
 * and their slots, and every job between submit and its end. Decisions are taken while holding
 * {@link #lock}; what follows from them (sending prompts, calling listeners) happens after it is
 * released. Methods named {@code …Locked} must be called with the lock held.
 */
final class JobBoard {
  final Object lock = new Object();
  final FairQueue<JobId> waiting;
  /** By name (host:port), in configuration order; the set never changes after construction. */
  final Map<String, Backend> backends;
  /** Every job between submit and its end: waiting, handed to a backend, or ending. */
  final Map<JobId, ActiveJob> active = new HashMap<>();
  private final BooleanSupplier closed;
  private Consumer<ActiveJob> handOver;

  JobBoard(QuotaPolicy quota, Collection<Backend> backends, BooleanSupplier closed) {
    this.waiting = new FairQueue<>(quota);
    this.backends = new LinkedHashMap<>();
    for (Backend b : backends) {
      this.backends.put(b.name, b);
    }
    this.closed = closed;
  }

  /** Who sends a promoted job to its backend; set once while the engine is wired, before it starts. */
  void handOverWith(Consumer<ActiveJob> handOver) {
    this.handOver = handOver;
  }

  int freeSlotsLocked() {
    int free = 0;
    for (Backend b : backends.values()) {
      free += b.freeSlots();
    }
    return free;
  }

  boolean anyHealthyLocked() {
    return backends.values().stream().anyMatch(b -> b.healthy);
  }

  int healthyCountLocked() {
    return (int) backends.values().stream().filter(b -> b.healthy).count();
  }

  /** Takes waiting jobs for the free slots; the caller {@link #send sends} them after releasing the lock. */
  List<ActiveJob> promoteLocked() {
    int free = freeSlotsLocked();
    if (free == 0 || closed.getAsBoolean()) {
      return List.of();
    }
    List<ActiveJob> out = new ArrayList<>();
    for (JobId id : waiting.promote(free)) {
      Backend target = backends.values().stream()
          .filter(b -> b.freeSlots() > 0)
          .min(Comparator.comparingInt(b -> b.dispatched.size()))
          .orElseThrow(() -> new IllegalStateException("promoted without a free slot"));
      ActiveJob job = active.get(id);
      target.dispatched.add(id);
      job.backend = target;
      out.add(job);
    }
    return out;
  }

  /** Hands each job to its backend's sender thread, in order; call without the lock. */
  void send(List<ActiveJob> promoted) {
    for (ActiveJob job : promoted) {
      try {
        job.backend.sender.execute(() -> handOver.accept(job));
      } catch (RejectedExecutionException e) {
        return; // closing: the job stays recorded as queued and resumes at the next start
      }
    }
  }

  /** Fills the free slots with waiting jobs and sends them. */
  void promoteAndSend() {
    List<ActiveJob> next;
    synchronized (lock) {
      next = promoteLocked();
    }
    send(next);
  }

  /**
   * Frees the job's backend slot and its user's place, and dispatches what can go next. Called as
   * soon as ComfyUI is done with the job, before its outputs are fetched, so the next prompt is
   * already in ComfyUI's queue while we download: the GPU does not wait on our disk.
   */
  void releaseSlot(ActiveJob job) {
    List<ActiveJob> next;
    synchronized (lock) {
      JobId id = job.stored.id();
      if (job.slotReleased || !active.containsKey(id)) {
        return;
      }
      job.slotReleased = true;
      if (job.backend != null) {
        job.backend.dispatched.remove(id);
      }
      if (!waiting.removeWaiting(id)) {
        waiting.finished(id);
      }
      next = promoteLocked();
    }
    send(next);
  }

  /** Forgets an ended job, freeing its slot and waiting place if that has not happened yet. */
  void release(ActiveJob job) {
    releaseSlot(job);
    synchronized (lock) {
      active.remove(job.stored.id());
    }
  }

  /** Puts a job that never reached its backend back at the head of its user's queue, and refills. */
  void requeueFirst(ActiveJob job, Backend backend) {
    List<ActiveJob> next;
    synchronized (lock) {
      job.recordBackend(null);
      backend.dispatched.remove(job.stored.id());
      job.backend = null;
      waiting.requeueFirst(job.stored.id());
      next = promoteLocked();
    }
    send(next);
  }

  /**
   * The jobs handed to a backend (pre-queued or running): at most a few per backend, where
   * {@link #active} also holds every waiting job.
   */
  List<ActiveJob> onBackendsLocked() {
    List<ActiveJob> out = new ArrayList<>();
    for (Backend b : backends.values()) {
      for (JobId id : b.dispatched) {
        ActiveJob j = active.get(id);
        if (j != null) {
          out.add(j);
        }
      }
    }
    return out;
  }

  String downReasons() {
    List<String> reasons = new ArrayList<>();
    for (Backend b : backends.values()) {
      reasons.add(b.name + ": " + (b.downReason == null ? "unavailable" : b.downReason));
    }
    return String.join("; ", reasons);
  }
}
