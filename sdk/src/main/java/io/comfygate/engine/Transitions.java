package io.comfygate.engine;

import io.comfygate.client.PromptOutcome;
import io.comfygate.errors.ComfyException;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ImageStore;
import io.comfygate.store.JobStore;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.StoredImage;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job's state changes after it was queued: started, succeeded (outputs saved), or ended failed,
 * timed out or cancelled. Each is committed to the store before it is announced to listeners, and
 * only once: a job that has ended already is left as it is.
 */
final class Transitions {
  private final JobBoard board;
  private final JobStore jobs;
  private final ImageStore images;
  private final OutputCollector outputs;
  private final EtaEstimator eta;
  private final DurableWrites durable;
  private final Snapshots snapshots;
  private final Listeners listeners;
  private final Clock clock;

  Transitions(JobBoard board, JobStore jobs, ImageStore images, OutputCollector outputs, EtaEstimator eta,
      DurableWrites durable, Snapshots snapshots, Listeners listeners, Clock clock) {
    this.board = board;
    this.jobs = jobs;
    this.images = images;
    this.outputs = outputs;
    this.eta = eta;
    this.durable = durable;
    this.snapshots = snapshots;
    this.listeners = listeners;
    this.clock = clock;
  }

  /** QUEUED → RUNNING once, when ComfyUI starts the prompt (or we learn it did). */
  boolean markStarted(ActiveJob job) {
    Instant now = clock.instant();
    synchronized (board.lock) {
      if (job.stored.state() != JobState.QUEUED || !board.active.containsKey(job.stored.id())) {
        return false;
      }
      if (!jobs.transition(job.stored.id(), JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(now))) {
        return false;
      }
      job.recordState(JobState.RUNNING, now, null, null);
      listeners.emit(new JobEvent.Started(snapshots.ofActiveLocked(job)));
      return true;
    }
  }

  /** Saves the outputs ComfyUI made and records the job succeeded with them, or failed if they cannot be had. */
  void complete(ActiveJob job, PromptOutcome.Succeeded succeeded) {
    Instant now = clock.instant();
    List<NewImage> saved;
    try {
      saved = outputs.collect(job.backend.client, job.stored.id(), succeeded.history().outputs(), now);
    } catch (UncheckedIOException | ComfyException e) {
      end(job, JobState.FAILED, e.getMessage());
      return;
    }
    String what = "completion of " + job.stored.id().value();
    durable.record(what, () -> markStarted(job)); // the start may have been missed while the socket was down
    Job snapshot = durable.record(what, () -> {
      synchronized (board.lock) {
        if (!board.active.containsKey(job.stored.id()) || !jobs.completeJob(job.stored.id(), now, saved)) {
          return null;
        }
        job.recordState(JobState.SUCCEEDED, null, now, null);
        job.percent = 100;
        if (job.stored.startedAt() != null) {
          eta.record(job.stored.template(), Duration.between(job.stored.startedAt(), now));
          eta.record("*", Duration.between(job.stored.startedAt(), now));
        }
        return snapshots.ofActiveLocked(job);
      }
    });
    if (snapshot == null) {
      outputs.discard(outputs.files(saved)); // ended otherwise meanwhile: nothing half-recorded
      return;
    }
    List<StoredImage> stored = images.listByJob(job.stored.id());
    listeners.emit(new JobEvent.Completed(Snapshots.withImages(snapshot, stored)));
    board.release(job);
  }

  /** Ends a job in a terminal state (if it is not already), then frees its slot. */
  void end(ActiveJob job, JobState state, String reason) {
    Instant now = clock.instant();
    Job snapshot = durable.record("end of " + job.stored.id().value(), () -> {
      synchronized (board.lock) {
        JobState from = job.stored.state();
        if (from.isTerminal() || !jobs.transition(job.stored.id(), from, state,
            JobUpdate.none().withFinishedAt(now).withError(reason))) {
          return null;
        }
        job.recordState(state, null, now, reason);
        return snapshots.ofActiveLocked(job);
      }
    });
    if (snapshot != null) {
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
