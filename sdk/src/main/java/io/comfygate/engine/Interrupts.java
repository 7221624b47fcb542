package io.comfygate.engine;

import io.comfygate.client.QueueSnapshot;
import io.comfygate.errors.ComfyException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping jobs before they end on their own: cancelled by a user, or over the job timeout. A
 * waiting job ends at once; one on a backend is taken off ComfyUI (deleted from its queue, or that
 * prompt interrupted) and ends when ComfyUI confirms, or here after a grace period if it does not.
 */
final class Interrupts {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name
  /** How long ComfyUI gets to honour an interrupt before a timed-out job is ended here anyway. */
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(15);

  private final JobBoard board;
  private final JobStore jobs;
  private final Transitions transitions;
  private final Snapshots snapshots;
  private final Queries queries;
  private final Listeners listeners;
  private final Workers workers;
  private final Clock clock;
  private final Duration jobTimeout;

  Interrupts(JobBoard board, JobStore jobs, Transitions transitions, Snapshots snapshots, Queries queries,
      Listeners listeners, Workers workers, Clock clock, Duration jobTimeout) {
    this.board = board;
    this.jobs = jobs;
    this.transitions = transitions;
    this.snapshots = snapshots;
    this.queries = queries;
    this.listeners = listeners;
    this.workers = workers;
    this.clock = clock;
    this.jobTimeout = jobTimeout;
  }

  /** See {@link JobEngine#cancel}. */
  Job cancel(JobId id, String userId) {
    Job snapshot;
    ActiveJob onBackend = null;
    synchronized (board.lock) {
      ActiveJob job = board.active.get(id);
      if (job == null) {
        return queries.get(id, userId);
      }
      if (userId != null && !job.stored.userId().equals(userId)) {
        throw new JobNotFoundException(id.value());
      }
      if (board.waiting.position(id) >= 0) {
        Instant now = clock.instant();
        // Written first: if the database refuses, the job still waits and the caller gets the error.
        jobs.transition(id, JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(now).withError("cancelled"));
        board.waiting.removeWaiting(id);
        job.recordState(JobState.CANCELLED, null, now, "cancelled");
        board.active.remove(id);
        snapshot = snapshots.ofActiveLocked(job);
        listeners.emit(new JobEvent.Cancelled(snapshot));
        return snapshot;
      }
      if (job.wanted == null) {
        job.wanted = ActiveJob.Ending.CANCEL;
        onBackend = job.handle != null ? job : null;
      }
      snapshot = snapshots.ofActiveLocked(job);
    }
    if (onBackend != null) {
      ActiveJob target = onBackend;
      workers.run(() -> stopOnBackend(target));
    }
    return snapshot;
  }

  /**
   * Takes the job off its backend: deleted from ComfyUI's queue if it waits there, interrupted
   * (that prompt only) if it runs. If the backend cannot be reached the job ends here at once.
   */
  void stopOnBackend(ActiveJob job) {
    Backend backend = job.backend;
    String promptId = job.stored.promptId();
    try {
      QueueSnapshot queue = backend.client.queue();
      if (queue.isPending(promptId)) {
        backend.client.deleteFromQueue(List.of(promptId));
        queue = backend.client.queue(); // it may have started meanwhile
      }
      if (queue.isRunning(promptId)) {
        backend.client.interrupt(promptId);
      }
    } catch (ComfyException e) {
      endAsWanted(job, timeoutReason(),
          "cancelled (ComfyUI at " + backend.name + " could not be told: " + e.getMessage() + ")");
    }
  }

  /** Asks ComfyUI to stop jobs over the timeout; ends those it has not stopped within the grace period. */
  void checkTimeouts() {
    try {
      Instant now = clock.instant();
      List<ActiveJob> toInterrupt = new ArrayList<>();
      List<ActiveJob> overdue = new ArrayList<>();
      synchronized (board.lock) {
        for (ActiveJob job : board.active.values()) {
          Instant started = job.stored.startedAt();
          if (job.stored.state() != JobState.RUNNING || started == null) {
            continue;
          }
          if (job.wanted == null && !now.isBefore(started.plus(jobTimeout))) {
            job.wanted = ActiveJob.Ending.TIMEOUT;
            job.timeoutRequestedNanos = System.nanoTime();
            toInterrupt.add(job);
          } else if (job.wanted != null && job.timeoutRequestedNanos != 0
              && System.nanoTime() - job.timeoutRequestedNanos > INTERRUPT_GRACE.toNanos()) {
            overdue.add(job);
          }
        }
      }
      for (ActiveJob job : toInterrupt) {
        if (job.handle != null) {
          workers.run(() -> stopOnBackend(job));
        }
      }
      for (ActiveJob job : overdue) {
        endAsWanted(job, timeoutReason() + "; ComfyUI did not stop it", "cancelled");
      }
    } catch (RuntimeException e) {
      LOG.warn("timeout check failed", e);
    }
  }

  String timeoutReason() {
    return "ran longer than the job timeout of " + jobTimeout.toSeconds() + " s (JOB_TIMEOUT_SECONDS)";
  }

  /** Ends a job we asked ComfyUI to stop, as timed out or cancelled as we wanted it. */
  private void endAsWanted(ActiveJob job, String timeoutReason, String cancelReason) {
    boolean timedOut = job.wanted == ActiveJob.Ending.TIMEOUT;
    transitions.end(job, timedOut ? JobState.TIMEOUT : JobState.CANCELLED, timedOut ? timeoutReason : cancelReason);
  }
}
