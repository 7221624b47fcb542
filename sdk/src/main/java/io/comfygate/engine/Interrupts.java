package io.comfygate.engine;

import io.comfygate.client.QueueSnapshot;
import io.comfygate.errors.ComfyException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.jdbc.JobFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  private final Queries queries;
  private final Workers workers;
  private final Clock clock;
  private final Duration jobTimeout;
  private final ClusterRole role;
  /** Where a follower records a cancel for the dispatcher; {@code null} alone on the database. */
  private final JobFeed feed;

  Interrupts(JobBoard board, JobStore jobs, Transitions transitions, Queries queries, Workers workers, Clock clock,
      Duration jobTimeout, ClusterRole role, JobFeed feed) {
    this.board = board;
    this.jobs = jobs;
    this.transitions = transitions;
    this.queries = queries;
    this.workers = workers;
    this.clock = clock;
    this.jobTimeout = jobTimeout;
    this.role = role;
    this.feed = feed;
  }

  /** See {@link JobEngine#cancel}. */
  Job cancel(JobId id, String userId) {
    ActiveJob job = board.activeJob(id).orElse(null);
    if (role.shared() && (job == null || !role.dispatching())) {
      return cancelAnywhere(id, userId, job);
    }
    if (job == null) {
      return queries.get(id, userId);
    }
    if (userId != null && !job.stored().userId().equals(userId)) {
      throw new JobNotFoundException(id.value());
    }
    synchronized (job.writes) {
      if (board.withdrawWaiting(job)) {
        Instant now = clock.instant();
        try {
          // Written first: if the database refuses, the job waits again and the caller gets the error.
          jobs.transition(id, JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(now).withError("cancelled"));
        } catch (RuntimeException e) {
          board.restoreWaiting(job);
          throw e;
        }
        return board.recordCancelledWhileWaiting(job, now);
      }
    }
    JobBoard.CancelRequest request = board.requestCancel(job);
    if (request.stopOnBackend()) {
      workers.run(() -> stopOnBackend(job));
    }
    return request.snapshot();
  }

  /**
   * A cancel on an instance that does not dispatch (or of a job the dispatcher has not picked up
   * yet): a waiting job is cancelled in the store directly (a compare-and-set that loses to a
   * hand-over); one on a backend is recorded as a cancel request, which the dispatcher carries
   * out. Either way the end is announced through the job-change feed, here as everywhere.
   */
  private Job cancelAnywhere(JobId id, String userId, ActiveJob job) {
    Job now = queries.get(id, userId);
    if (now.state().isTerminal()) {
      return now;
    }
    Instant at = clock.instant();
    if (jobs.cancelWaiting(id, at)) {
      if (job != null) {
        transitions.endedElsewhere(job, jobs.find(id).orElseThrow());
      }
    } else if (!role.dispatching()) {
      feed.requestCancel(id);
    }
    return queries.get(id, userId);
  }

  /** The dispatcher carries out a cancel another instance recorded. */
  void cancelRequested(JobId id) {
    if (board.activeJob(id).isPresent()) {
      cancel(id, null);
    }
  }

  /**
   * Takes the job off its backend: deleted from ComfyUI's queue if it waits there, interrupted
   * (that prompt only) if it runs. If the backend cannot be reached the job ends here at once.
   * With several instances, only while this one holds the dispatcher lease (asked of the database).
   */
  void stopOnBackend(ActiveJob job) {
    if (!role.confirmed()) {
      return;
    }
    Backend backend = job.backend();
    String promptId = job.stored().promptId();
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
    if (!role.dispatching()) {
      return;
    }
    try {
      JobBoard.DueTimeouts due = board.dueTimeouts(clock.instant(), System.nanoTime(), INTERRUPT_GRACE);
      for (ActiveJob job : due.toInterrupt()) {
        if (job.handle() != null) {
          workers.run(() -> stopOnBackend(job));
        }
      }
      for (ActiveJob job : due.overdue()) {
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
    boolean timedOut = job.wanted() == ActiveJob.Ending.TIMEOUT;
    transitions.end(job, timedOut ? JobState.TIMEOUT : JobState.CANCELLED, timedOut ? timeoutReason : cancelReason);
  }
}
