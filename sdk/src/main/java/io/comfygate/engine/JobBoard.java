package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.FairQueue;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WaitingLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one owner of the engine's in-memory state: the waiting room ({@link FairQueue}), the
 * backends' slots and health, every job between its pick-up and its end, and the running jobs'
 * deadlines. This memory is a cache of the store, which is the queue's truth: a job enters the
 * board only once its row is committed, and each change of a job is committed before the board
 * records it.
 *
 * <p>Every method takes the lock itself, decides, and releases it before acting: prompts are sent
 * ({@link #send}) after it is released. Under the lock there is no SQL, no HTTP and no listener
 * call; job events are only <i>queued</i> for the listener thread there, so that their order is the
 * order of the decisions. {@code …Locked} methods (here and on {@link ActiveJob} and {@link
 * Backend}) assert that the lock is held. Costs under the lock do not grow with the number of
 * waiting jobs: positions are O(users), timeouts come from a deadline-ordered set of running jobs.
 */
final class JobBoard {
  private final Object lock = new Object();
  /** Replaced (emptied) when this instance starts or stops dispatching; guarded by the lock. */
  private FairQueue<JobId> waiting;
  private final QuotaPolicy quota;
  /** By name (host:port), in configuration order; never changes after construction. */
  private final Map<String, Backend> backends;
  /** Every job between its pick-up and its end; changed under the lock, read without it. */
  private final Map<JobId, ActiveJob> active = new ConcurrentHashMap<>();
  /** Jobs promoted for a backend whose row does not say so yet (read by submits, without the lock). */
  private final Set<JobId> handingOver = ConcurrentHashMap.newKeySet();
  /** Running jobs by the instant they time out. */
  private final TreeSet<Deadline> deadlines = new TreeSet<>();
  private final Map<JobId, Deadline> deadlineOf = new java.util.HashMap<>();
  /** Jobs we asked ComfyUI to stop for their timeout, waiting for it to confirm. */
  private final Set<ActiveJob> stopping = new LinkedHashSet<>();
  private final Duration jobTimeout;
  private final BooleanSupplier closed;
  private final Listeners listeners;
  private final Snapshots snapshots;
  private volatile boolean slotFree;
  /**
   * Whether this board sends jobs to the backends. With several instances on one database only
   * the holder of the dispatcher lease does; the others keep the same view of the queue, fed by
   * the database's job-change feed, and promote nothing.
   */
  private volatile boolean dispatching = true;
  private Consumer<ActiveJob> handOver;

  JobBoard(QuotaPolicy quota, Collection<Backend> backends, Duration jobTimeout, BooleanSupplier closed,
      Listeners listeners, Snapshots snapshots) {
    this.quota = quota;
    this.waiting = new FairQueue<>(quota);
    Map<String, Backend> byName = new LinkedHashMap<>();
    for (Backend b : backends) {
      b.guardedBy(lock);
      byName.put(b.name, b);
    }
    this.backends = Collections.unmodifiableMap(byName);
    this.jobTimeout = jobTimeout;
    this.closed = closed;
    this.listeners = listeners;
    this.snapshots = snapshots;
    synchronized (lock) {
      refreshSlotFreeLocked();
    }
  }

  /** Who sends a promoted job to its backend; set once while the engine is wired, before it starts. */
  void handOverWith(Consumer<ActiveJob> sender) {
    this.handOver = sender;
  }

  /** Starts or stops sending jobs to the backends (see {@link #abandonAll}). */
  void dispatching(boolean on) {
    dispatching = on;
  }

  boolean dispatching() {
    return dispatching;
  }

  /**
   * Forgets every job, slot and deadline, without a store write or an event: this instance has
   * just started or stopped dispatching, and its view is rebuilt from the store. Threads still
   * working on a forgotten job find it inactive and leave it alone.
   */
  void abandonAll() {
    synchronized (lock) {
      for (Backend b : backends.values()) {
        for (JobId id : new ArrayList<>(b.dispatchedLocked())) {
          b.giveBackLocked(id);
        }
      }
      active.clear();
      handingOver.clear();
      deadlines.clear();
      deadlineOf.clear();
      stopping.clear();
      waiting = new FairQueue<>(quota);
      refreshSlotFreeLocked();
    }
  }

  /** A job as the board will hold it, once it is picked up. */
  ActiveJob newJob(StoredJob stored, ObjectNode workflow, JsonNode params) {
    return new ActiveJob(lock, stored, workflow, params);
  }

  // ------------------------------------------------------------------ read without the lock

  Collection<Backend> backends() {
    return backends.values();
  }

  Backend backend(String name) {
    return backends.get(name);
  }

  boolean anyHealthy() {
    for (Backend b : backends.values()) {
      if (b.healthy()) {
        return true;
      }
    }
    return false;
  }

  String downReasons() {
    List<String> reasons = new ArrayList<>();
    for (Backend b : backends.values()) {
      String reason = b.downReason();
      reasons.add(b.name + ": " + (reason == null ? "unavailable" : reason));
    }
    return String.join("; ", reasons);
  }

  /** The limit a submit asks the store to apply, with what this board knows right now. */
  WaitingLimit waitingLimit() {
    return new WaitingLimit(quota.maxWaiting(), quota.maxConcurrent(), slotFree, handingOver::contains);
  }

  Optional<ActiveJob> activeJob(JobId id) {
    return Optional.ofNullable(active.get(id));
  }

  boolean isActive(ActiveJob job) {
    return active.get(job.id()) == job;
  }

  // ------------------------------------------------------------------------------- pick-up

  /**
   * Takes a newly committed job into the waiting room, announces it, and dispatches what can go.
   *
   * @return the job as it is now (waiting with its place, or already promoted)
   */
  Job pickUp(ActiveJob job) {
    List<ActiveJob> next;
    Job now;
    synchronized (lock) {
      waitLocked(job);
      Job enqueued = snapshotLocked(job);
      listeners.emit(new JobEvent.Enqueued(enqueued));
      next = promoteLocked();
      now = next.isEmpty() ? enqueued : snapshotLocked(job); // only a promotion moves it
      if (!next.contains(job)) {
        job.bound(null); // a waiting job does not keep its workflow: bound again at its hand-over
      }
    }
    send(next);
    return now;
  }

  /**
   * After a restart: takes the jobs that were waiting into the waiting room in their order, and
   * those ComfyUI still has onto their backends, then dispatches what can go (the path of {@link
   * #pickUp}, without the announcement: these jobs were announced by the run that took them).
   *
   * @return how many jobs wait
   */
  int pickUpRecovered(List<ActiveJob> waitingJobs, List<ActiveJob> onBackends) {
    List<ActiveJob> next;
    int waits;
    synchronized (lock) {
      for (ActiveJob job : onBackends) {
        Backend backend = backends.get(job.stored().backend());
        if (active.containsKey(job.id()) || backend == null) {
          continue; // picked up meanwhile (a submit of this instance), or not one of our backends
        }
        active.put(job.id(), job);
        job.assignLocked(backend);
        backend.takeLocked(job.id());
        waiting.addDispatched(job.stored().userId(), job.id());
        if (dispatching && job.state() == JobState.RUNNING && job.stored().startedAt() != null) {
          addDeadlineLocked(job);
        }
      }
      for (ActiveJob job : waitingJobs) {
        if (!active.containsKey(job.id())) {
          waitLocked(job);
        }
      }
      next = promoteLocked();
      waits = waiting.totalWaiting();
    }
    send(next);
    return waits;
  }

  /** Holds a job that is to be ended at once (it cannot be resumed), so the usual end path applies. */
  void adoptForEnding(ActiveJob job) {
    synchronized (lock) {
      active.put(job.id(), job);
    }
  }

  private void waitLocked(ActiveJob job) {
    assert Thread.holdsLock(lock);
    active.put(job.id(), job);
    waiting.add(job.stored().userId(), job.id());
  }

  // ---------------------------------------------------------------------------- scheduling

  /** Fills the free slots with waiting jobs and sends them. */
  void promoteAndSend() {
    List<ActiveJob> next;
    synchronized (lock) {
      next = promoteLocked();
    }
    send(next);
  }

  /** Takes waiting jobs for the free slots; the caller {@link #send sends} them after releasing the lock. */
  private List<ActiveJob> promoteLocked() {
    assert Thread.holdsLock(lock);
    int free = 0;
    for (Backend b : backends.values()) {
      free += b.freeSlotsLocked();
    }
    if (free == 0 || closed.getAsBoolean() || !dispatching) {
      refreshSlotFreeLocked();
      return List.of();
    }
    List<ActiveJob> out = new ArrayList<>();
    for (JobId id : waiting.promote(free)) {
      Backend target = backends.values().stream()
          .filter(b -> b.freeSlotsLocked() > 0)
          .min(Comparator.comparingInt(b -> b.dispatchedLocked().size()))
          .orElseThrow(() -> new IllegalStateException("promoted without a free slot"));
      ActiveJob job = active.get(id);
      target.takeLocked(id);
      job.assignLocked(target);
      handingOver.add(id);
      out.add(job);
    }
    refreshSlotFreeLocked();
    return out;
  }

  private void refreshSlotFreeLocked() {
    assert Thread.holdsLock(lock);
    boolean free = false;
    for (Backend b : backends.values()) {
      free |= b.freeSlotsLocked() > 0;
    }
    slotFree = free;
  }

  /** Hands each job to its backend's sender thread, in order; call without the lock. */
  private void send(List<ActiveJob> promoted) {
    for (ActiveJob job : promoted) {
      try {
        job.backend().sender.execute(() -> handOver.accept(job));
      } catch (RejectedExecutionException e) {
        return; // closing: the job stays recorded as queued and resumes at the next start
      }
    }
  }

  /** The job's hand-over to its backend is committed: its row names the backend now. */
  void handedOver(ActiveJob job, String backendName) {
    synchronized (lock) {
      job.recordBackendLocked(backendName);
      handingOver.remove(job.id());
    }
  }

  /**
   * Frees the job's backend slot and its user's place, and dispatches what can go next. Called as
   * soon as ComfyUI is done with the job, before its outputs are fetched, so the next prompt is
   * already in ComfyUI's queue while we download: the GPU does not wait on our disk.
   */
  void releaseSlot(ActiveJob job) {
    List<ActiveJob> next;
    synchronized (lock) {
      if (!releaseSlotLocked(job)) {
        return;
      }
      next = promoteLocked();
    }
    send(next);
  }

  private boolean releaseSlotLocked(ActiveJob job) {
    assert Thread.holdsLock(lock);
    JobId id = job.id();
    if (job.slotReleasedLocked() || !active.containsKey(id)) {
      return false;
    }
    job.releaseSlotLocked();
    if (job.backend() != null) {
      job.backend().giveBackLocked(id);
    }
    if (!waiting.removeWaiting(id)) {
      waiting.finished(id);
    }
    handingOver.remove(id);
    removeDeadlineLocked(job);
    stopping.remove(job);
    return true;
  }

  /** Forgets an ended job, freeing its slot and waiting place if that has not happened yet. */
  void release(ActiveJob job) {
    List<ActiveJob> next;
    synchronized (lock) {
      next = releaseSlotLocked(job) ? promoteLocked() : List.of();
      active.remove(job.id());
    }
    send(next);
  }

  /** Puts a job that never reached its backend back at the head of its user's queue, and refills. */
  void requeueFirst(ActiveJob job, Backend backend) {
    List<ActiveJob> next;
    synchronized (lock) {
      job.recordBackendLocked(null);
      backend.giveBackLocked(job.id());
      job.assignLocked(null);
      handingOver.remove(job.id());
      waiting.requeueFirst(job.id());
      next = promoteLocked();
    }
    send(next);
  }

  /**
   * Another instance (the dispatcher) handed a job of this view to a backend: it leaves the
   * waiting room and takes a slot of that backend here too, so positions and ETAs agree.
   */
  void mirrorHandedOver(ActiveJob job, String backendName) {
    synchronized (lock) {
      Backend backend = backends.get(backendName);
      if (active.get(job.id()) != job || backend == null || job.backend() != null) {
        return;
      }
      if (waiting.removeWaiting(job.id())) {
        waiting.addDispatched(job.stored().userId(), job.id());
      }
      backend.takeLocked(job.id());
      job.assignLocked(backend);
      job.recordBackendLocked(backendName);
      refreshSlotFreeLocked();
    }
  }

  /** The dispatcher took a job back from its backend (never sent): it waits again, first of its user's. */
  void mirrorReturned(ActiveJob job) {
    synchronized (lock) {
      Backend backend = job.backend();
      if (active.get(job.id()) != job || backend == null) {
        return;
      }
      backend.giveBackLocked(job.id());
      job.assignLocked(null);
      job.recordBackendLocked(null);
      waiting.requeueFirst(job.id());
      refreshSlotFreeLocked();
    }
  }

  // ------------------------------------------------------------------- state changes of a job

  /** Its start is committed: it runs, and its timeout counts from {@code at}. */
  void recordStarted(ActiveJob job, Instant at) {
    synchronized (lock) {
      job.recordStateLocked(JobState.RUNNING, at, null, null);
      if (dispatching) {
        addDeadlineLocked(job);
      }
      listeners.emit(new JobEvent.Started(snapshotLocked(job)));
    }
  }

  /** Its success is committed; returns it as it is now (announced by the caller, with its images). */
  Job recordSucceeded(ActiveJob job, Instant at) {
    synchronized (lock) {
      job.recordStateLocked(JobState.SUCCEEDED, null, at, null);
      job.progressed(100, job.node());
      return snapshotLocked(job);
    }
  }

  /** Its end in {@code state} is committed; returns it as it is now (announced by the caller). */
  Job recordEnded(ActiveJob job, JobState state, Instant at, String reason) {
    synchronized (lock) {
      job.recordStateLocked(state, null, at, reason);
      return snapshotLocked(job);
    }
  }

  /** The workflow bound for the job's hand-over (its sender thread only; no lock needed). */
  void recordWorkflow(ActiveJob job, ObjectNode workflow) {
    job.bound(workflow);
  }

  /** Progress as ComfyUI reports it (the job's event thread only; no lock needed). */
  void recordProgress(ActiveJob job, int percent, String node) {
    job.progressed(percent, node);
  }

  void recordPreview(ActiveJob job, byte[] bytes, String type) {
    job.previewed(bytes, type);
  }

  /** The job's prompt was accepted by ComfyUI; returns how we want it to end, if we already do. */
  ActiveJob.Ending attach(ActiveJob job, io.comfygate.client.PromptHandle handle) {
    synchronized (lock) {
      job.attachLocked(handle);
      return job.wanted();
    }
  }

  // ------------------------------------------------------------------------ cancel, timeout

  /** Takes a waiting job out of the waiting room (a cancel about to be written); false if it does not wait. */
  boolean withdrawWaiting(ActiveJob job) {
    synchronized (lock) {
      return waiting.removeWaiting(job.id());
    }
  }

  /** A withdrawn job's cancel could not be written: it waits again, at the head of its user's queue. */
  void restoreWaiting(ActiveJob job) {
    List<ActiveJob> next;
    synchronized (lock) {
      waiting.restoreFirst(job.stored().userId(), job.id());
      next = promoteLocked();
    }
    send(next);
  }

  /** A withdrawn job's cancel is committed: it leaves the board, announced. */
  Job recordCancelledWhileWaiting(ActiveJob job, Instant at) {
    synchronized (lock) {
      job.recordStateLocked(JobState.CANCELLED, null, at, "cancelled");
      active.remove(job.id());
      Job snapshot = snapshotLocked(job);
      listeners.emit(new JobEvent.Cancelled(snapshot));
      return snapshot;
    }
  }

  /** What a cancel of a job on a backend found. */
  record CancelRequest(Job snapshot, boolean stopOnBackend) {}

  /** Marks a job on a backend to be cancelled; it is stopped there if ComfyUI already has it. */
  CancelRequest requestCancel(ActiveJob job) {
    synchronized (lock) {
      boolean stop = false;
      if (job.wanted() == null) {
        job.wantLocked(ActiveJob.Ending.CANCEL, 0);
        stop = job.handle() != null;
      }
      return new CancelRequest(snapshotLocked(job), stop);
    }
  }

  /** Running jobs now over their timeout (to stop on ComfyUI), and those ComfyUI has not stopped within the grace. */
  record DueTimeouts(List<ActiveJob> toInterrupt, List<ActiveJob> overdue) {}

  /** Reads only the deadlines that are due, and the few jobs being stopped: never every job. */
  DueTimeouts dueTimeouts(Instant now, long nanoNow, Duration grace) {
    List<ActiveJob> toInterrupt = new ArrayList<>();
    List<ActiveJob> overdue = new ArrayList<>();
    synchronized (lock) {
      while (!deadlines.isEmpty() && !deadlines.first().at.isAfter(now)) {
        Deadline due = deadlines.pollFirst();
        deadlineOf.remove(due.job.id());
        ActiveJob job = due.job;
        if (active.get(job.id()) == job && job.state() == JobState.RUNNING && job.wanted() == null) {
          job.wantLocked(ActiveJob.Ending.TIMEOUT, nanoNow);
          stopping.add(job);
          toInterrupt.add(job);
        }
      }
      for (var it = stopping.iterator(); it.hasNext(); ) {
        ActiveJob job = it.next();
        if (nanoNow - job.timeoutRequestedNanosLocked() > grace.toNanos()) {
          overdue.add(job);
          it.remove();
        }
      }
    }
    return new DueTimeouts(toInterrupt, overdue);
  }

  private void addDeadlineLocked(ActiveJob job) {
    assert Thread.holdsLock(lock);
    removeDeadlineLocked(job);
    Deadline d = new Deadline(job.stored().startedAt().plus(jobTimeout), job);
    deadlines.add(d);
    deadlineOf.put(job.id(), d);
  }

  private void removeDeadlineLocked(ActiveJob job) {
    Deadline d = deadlineOf.remove(job.id());
    if (d != null) {
      deadlines.remove(d);
    }
  }

  /** When a running job times out; ordered by instant, then job id. */
  private record Deadline(Instant at, ActiveJob job) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : job.id().value().compareTo(o.job.id().value());
    }
  }

  // --------------------------------------------------------------------------- backends

  /**
   * Takes a backend out of service; its jobs are to be ended by the caller, and their prompts are
   * remembered as orphans to delete there once it is back.
   *
   * @return the jobs it had, or {@code null} if it was down already
   */
  List<ActiveJob> markDown(Backend backend, String reason, Instant now) {
    synchronized (lock) {
      if (!backend.markDownLocked(reason, now)) {
        return null;
      }
      List<ActiveJob> lost = new ArrayList<>();
      if (!dispatching) {
        refreshSlotFreeLocked();
        return lost; // the dispatcher ends them, if its own check finds the backend down too
      }
      for (JobId id : backend.dispatchedLocked()) {
        ActiveJob job = active.get(id);
        lost.add(job);
        backend.orphanLocked(job.stored().promptId());
      }
      refreshSlotFreeLocked();
      return lost;
    }
  }

  /** Puts a backend back in service and feeds it; false if it was up already. */
  boolean markUp(Backend backend) {
    List<ActiveJob> next;
    synchronized (lock) {
      if (!backend.markUpLocked()) {
        return false;
      }
      next = promoteLocked();
    }
    send(next);
    return true;
  }

  List<String> takeOrphans(Backend backend) {
    synchronized (lock) {
      return backend.takeOrphansLocked();
    }
  }

  // ------------------------------------------------------------------------------ queries

  /** An active job that has not ended, as it is now. */
  Optional<Job> snapshot(JobId id) {
    synchronized (lock) {
      ActiveJob job = active.get(id);
      if (job == null || job.state().isTerminal()) {
        return Optional.empty();
      }
      return Optional.of(snapshotLocked(job));
    }
  }

  /** An active job as it is now (ended a moment ago included). */
  Job snapshot(ActiveJob job) {
    synchronized (lock) {
      return snapshotLocked(job);
    }
  }

  /** A running job's snapshot for a progress event, or {@code null} if it is not running any more. */
  Job progressSnapshot(ActiveJob job) {
    synchronized (lock) {
      if (active.get(job.id()) != job || job.state() != JobState.RUNNING) {
        return null;
      }
      return snapshotLocked(job);
    }
  }

  List<JobEngine.BackendStatus> backendStatuses() {
    synchronized (lock) {
      List<JobEngine.BackendStatus> out = new ArrayList<>();
      for (Backend b : backends.values()) {
        List<Job> onIt = new ArrayList<>();
        for (JobId id : b.dispatchedLocked()) {
          onIt.add(snapshotLocked(active.get(id)));
        }
        out.add(new JobEngine.BackendStatus(b.name, b.healthy(), b.downReason(), onIt));
      }
      return out;
    }
  }

  QueueDepth queueDepth() {
    synchronized (lock) {
      List<QueueDepth.BackendLoad> loads = new ArrayList<>();
      for (Backend b : backends.values()) {
        int running = 0;
        for (JobId id : b.dispatchedLocked()) {
          ActiveJob job = active.get(id);
          if (job != null && job.state() == JobState.RUNNING) {
            running++;
          }
        }
        loads.add(new QueueDepth.BackendLoad(b.name, b.healthy(), b.dispatchedLocked().size() - running, running));
      }
      return new QueueDepth(waiting.waitingByUser(), loads);
    }
  }

  /**
   * The waiting jobs in dispatch order. Under the lock only the order and what each snapshot
   * needs are read; the snapshots are made after it is released.
   */
  List<Job> waitingJobs() {
    List<ActiveJob> order = new ArrayList<>();
    List<ActiveJob> onBackends;
    int healthy;
    synchronized (lock) {
      for (JobId id : waiting.inDispatchOrder()) {
        order.add(active.get(id));
      }
      onBackends = onBackendsLocked();
      healthy = healthyCountLocked();
    }
    List<Job> out = new ArrayList<>(order.size());
    for (int position = 0; position < order.size(); position++) {
      out.add(snapshots.ofActive(order.get(position), position, onBackends, healthy));
    }
    return out;
  }

  private Job snapshotLocked(ActiveJob job) {
    assert Thread.holdsLock(lock);
    return snapshots.ofActive(job, waiting.position(job.id()), onBackendsLocked(), healthyCountLocked());
  }

  /** The jobs handed to a backend: at most a few per backend. */
  private List<ActiveJob> onBackendsLocked() {
    List<ActiveJob> out = new ArrayList<>();
    for (Backend b : backends.values()) {
      for (JobId id : b.dispatchedLocked()) {
        ActiveJob j = active.get(id);
        if (j != null) {
          out.add(j);
        }
      }
    }
    return out;
  }

  private int healthyCountLocked() {
    int n = 0;
    for (Backend b : backends.values()) {
      n += b.healthy() ? 1 : 0;
    }
    return n;
  }
}
