package io.comfygate.engine;

import io.comfygate.client.PromptOutcome;
import io.comfygate.errors.ComfyException;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.StoredImage;
import io.comfygate.store.StoredJob;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job's state changes after it was queued: started, succeeded (outputs saved), or ended failed,
 * timed out or cancelled. Each is committed to the store before it is announced to listeners, and
 * only once: a job that has ended already is left as it is. The store's write and the board's
 * record of it happen under the job's own {@link ActiveJob#writes} lock, not the scheduling lock,
 * so one job's changes keep their order while other jobs' go on.
 */
final class Transitions {
  private final JobBoard board;
  private final JobStore jobs;
  private final ImageStore images;
  private final OutputCollector outputs;
  private final EtaEstimator eta;
  private final DurableWrites durable;
  private final Listeners listeners;
  private final ClusterRole role;
  private final Clock clock;

  Transitions(JobBoard board, JobStore jobs, ImageStore images, OutputCollector outputs, EtaEstimator eta,
      DurableWrites durable, Listeners listeners, ClusterRole role, Clock clock) {
    this.board = board;
    this.jobs = jobs;
    this.images = images;
    this.outputs = outputs;
    this.eta = eta;
    this.durable = durable;
    this.listeners = listeners;
    this.role = role;
    this.clock = clock;
  }

  /**
   * Whether this instance may record what ComfyUI did with the jobs it sent: always alone on its
   * database; with several, only while its dispatcher lease has not lapsed by its own clock (a
   * paused dispatcher that wakes up leaves the outcomes to the one that took over, and steps
   * down). The shorter send window does not count here: a lapse of it only holds new prompts back.
   */
  private boolean mayRecord() {
    if (role.holdsByOwnClock()) {
      return true;
    }
    role.lost();
    return false;
  }

  /** QUEUED → RUNNING once, when ComfyUI starts the prompt (or we learn it did). */
  boolean markStarted(ActiveJob job) {
    Instant now = clock.instant();
    synchronized (job.writes) {
      if (job.state() != JobState.QUEUED || !board.isActive(job) || !mayRecord()) {
        return false;
      }
      if (!jobs.transition(job.id(), JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(now))) {
        return false;
      }
      board.recordStarted(job, now);
      return true;
    }
  }

  /** Saves the outputs ComfyUI made and records the job succeeded with them, or failed if they cannot be had. */
  void complete(ActiveJob job, PromptOutcome.Succeeded succeeded) {
    if (!mayRecord()) {
      return;
    }
    Instant now = clock.instant();
    List<NewImage> saved;
    try {
      saved = outputs.collect(job.backend().client, job.id(), succeeded.history().outputs(), now);
    } catch (UncheckedIOException | ComfyException e) {
      end(job, JobState.FAILED, e.getMessage());
      return;
    }
    String what = "completion of " + job.id().value();
    durable.record(what, () -> markStarted(job)); // the start may have been missed while the socket was down
    Job snapshot = durable.record(what, () -> {
      synchronized (job.writes) {
        if (!board.isActive(job) || !jobs.completeJob(job.id(), now, saved)) {
          return null;
        }
        return board.recordSucceeded(job, now);
      }
    });
    if (snapshot == null) {
      outputs.discard(outputs.files(saved)); // ended otherwise meanwhile: nothing half-recorded
      return;
    }
    Instant started = job.stored().startedAt();
    if (started != null) {
      eta.record(job.stored().template(), Duration.between(started, now));
      eta.record("*", Duration.between(started, now));
    }
    List<StoredImage> stored = images.listByJob(job.id());
    listeners.emit(new JobEvent.Completed(Snapshots.withImages(snapshot, stored)));
    board.release(job);
  }

  /** Ends a job in a terminal state (if it is not already), then frees its slot. */
  void end(ActiveJob job, JobState state, String reason) {
    Instant now = clock.instant();
    Job snapshot = durable.record("end of " + job.id().value(), () -> {
      synchronized (job.writes) {
        JobState from = job.state();
        // A job this instance no longer holds (it stopped dispatching) is not its to end.
        if (from.isTerminal() || !board.isActive(job) || !mayRecord() || !jobs.transition(job.id(), from, state,
            JobUpdate.none().withFinishedAt(now).withError(reason))) {
          return null;
        }
        return board.recordEnded(job, state, now, reason);
      }
    });
    if (snapshot != null) {
      listeners.emit(terminalEvent(snapshot));
    }
    board.release(job);
  }

  /**
   * Another instance committed the job's start (the dispatcher, seen through the job-change feed):
   * recorded and announced here too, once.
   */
  void startedElsewhere(ActiveJob job, Instant at) {
    synchronized (job.writes) {
      if (job.state() != JobState.QUEUED || !board.isActive(job)) {
        return;
      }
      board.recordStarted(job, at);
    }
  }

  /**
   * The job's end is committed already, as {@code ended} says (by another instance, or by a cancel
   * of this one that wrote it directly): recorded here, announced once, and the job let go.
   */
  void endedElsewhere(ActiveJob job, StoredJob ended) {
    Job snapshot;
    synchronized (job.writes) {
      if (job.state().isTerminal() || !board.isActive(job)) {
        return;
      }
      snapshot = ended.state() == JobState.SUCCEEDED
          ? board.recordSucceeded(job, ended.finishedAt())
          : board.recordEnded(job, ended.state(), ended.finishedAt(), ended.error());
    }
    if (ended.state() == JobState.SUCCEEDED) {
      if (ended.startedAt() != null && ended.finishedAt() != null) {
        Duration took = Duration.between(ended.startedAt(), ended.finishedAt());
        eta.record(job.stored().template(), took);
        eta.record("*", took);
      }
      listeners.emit(new JobEvent.Completed(Snapshots.withImages(snapshot, images.listByJob(job.id()))));
    } else {
      listeners.emit(terminalEvent(snapshot));
    }
    board.release(job);
  }

  private static JobEvent terminalEvent(Job snapshot) {
    switch (snapshot.state()) {
      case FAILED:
        return new JobEvent.Failed(snapshot);
      case TIMEOUT:
        return new JobEvent.TimedOut(snapshot);
      case CANCELLED:
        return new JobEvent.Cancelled(snapshot);
      default:
        throw new IllegalArgumentException("not an error ending: " + snapshot.state());
    }
  }
}
