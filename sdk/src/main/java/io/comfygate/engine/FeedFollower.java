package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.store.jdbc.JobFeed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies to this instance's view what other instances committed, read from the job-change feed
 * in commit order: jobs submitted elsewhere are picked up (queued, and dispatched if this instance
 * is the dispatcher), the dispatcher's hand-overs, starts and ends are recorded and announced to
 * this instance's listeners, cancel requests are carried out by the dispatcher. Changes this
 * instance made itself were recorded and announced when it made them, and are skipped. Runs on
 * the coordinator's thread only.
 */
final class FeedFollower {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobBoard board;
  private final JobStore jobs;
  private final Transitions transitions;
  private final Interrupts interrupts;
  private final Listeners listeners;
  private final String self;

  FeedFollower(JobBoard board, JobStore jobs, Transitions transitions, Interrupts interrupts, Listeners listeners,
      String self) {
    this.board = board;
    this.jobs = jobs;
    this.transitions = transitions;
    this.interrupts = interrupts;
    this.listeners = listeners;
    this.self = self;
  }

  /**
   * Applies a batch of changes in order, with the rows of the jobs they need read in one go
   * (as the batch began: the changes after that come in the feed after it).
   */
  void apply(List<JobFeed.Change> batch) {
    Map<JobId, StoredJob> rows = jobs.findAll(rowsNeeded(batch));
    for (JobFeed.Change change : batch) {
      try {
        apply(change, rows);
      } catch (RuntimeException e) {
        LOG.warn("could not apply change {} of job {} ({}); skipped", change.seq(), change.jobId(), change.kind(), e);
      }
    }
  }

  /** Jobs whose rows a batch's changes read: queued or ended elsewhere. */
  private List<JobId> rowsNeeded(List<JobFeed.Change> batch) {
    List<JobId> ids = new ArrayList<>();
    for (JobFeed.Change change : batch) {
      if (!change.origin().equals(self) && readsRow(change.kind())) {
        ids.add(change.jobId());
      }
    }
    return ids;
  }

  /** Whether a change of this kind reads the job's row: a state, queued or an end (the other kinds are no state). */
  private static boolean readsRow(String kind) {
    for (JobState state : JobState.values()) {
      if (state.wireName().equals(kind)) {
        return state == JobState.QUEUED || state.isTerminal();
      }
    }
    return false;
  }

  private void apply(JobFeed.Change change, Map<JobId, StoredJob> rows) {
    if (change.origin().equals(self)) {
      return;
    }
    JobId id = change.jobId();
    ActiveJob job = board.activeJob(id).orElse(null);
    switch (change.kind()) {
      case JobFeed.HANDED_OVER -> {
        if (job != null && !board.dispatching()) {
          board.mirrorHandedOver(job, change.detail());
        }
      }
      case JobFeed.RETURNED -> {
        if (job != null && !board.dispatching()) {
          board.mirrorReturned(job);
        }
      }
      case JobFeed.CANCEL_REQUESTED -> {
        if (board.dispatching()) {
          interrupts.cancelRequested(id);
        }
      }
      default -> applyState(id, job, JobState.fromWireName(change.kind()), change, Optional.ofNullable(rows.get(id)));
    }
  }

  private void applyState(JobId id, ActiveJob job, JobState state, JobFeed.Change change, Optional<StoredJob> stored) {
    if (state == JobState.QUEUED) {
      if (job == null) {
        stored.ifPresent(row -> board.pickUp(board.newJob(asSubmitted(row), null, Snapshots.params(row))));
      }
    } else if (state == JobState.RUNNING) {
      if (job != null) {
        transitions.startedElsewhere(job, change.at());
      }
    } else if (job != null) {
      stored.ifPresent(row -> transitions.endedElsewhere(job, row.state().isTerminal() ? row : ended(row, state, change)));
    }
  }

  /**
   * Progress the dispatcher sent for a job that runs (small JSON: job id, percent, node); previews
   * stay on the dispatcher.
   */
  void progress(JsonNode body) {
    ActiveJob job = board.activeJob(JobId.of(body.path("j").asText())).orElse(null);
    if (job == null || job.state() != JobState.RUNNING) {
      return;
    }
    board.recordProgress(job, Math.max(job.percent(), body.path("p").asInt()), body.path("n").asText(null));
    Job snapshot = board.progressSnapshot(job);
    if (snapshot != null) {
      listeners.emit(new JobEvent.Progress(snapshot, null, null));
    }
  }

  /** The job as it was submitted, whatever happened to it since (the feed brings that next). */
  private static StoredJob asSubmitted(StoredJob s) {
    return new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), JobState.QUEUED, null, s.promptId(),
        s.createdAt(), null, null, null);
  }

  private static StoredJob ended(StoredJob s, JobState state, JobFeed.Change change) {
    return new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), state, s.backend(), s.promptId(),
        s.createdAt(), s.startedAt(), change.at(), s.error());
  }
}
