package io.comfygate.engine;

import io.comfygate.client.PromptHandle;
import io.comfygate.client.PromptOutcome;
import io.comfygate.jobs.JobState;

/**
 * Follows a job that ComfyUI has accepted to its outcome, and ends it accordingly: succeeded (its
 * slot is given back at once, then its outputs are fetched), failed with ComfyUI's reason, or, if
 * we interrupted it, timed out or cancelled as we wanted.
 */
final class JobRunner {
  private final JobBoard board;
  private final Transitions transitions;
  private final Interrupts interrupts;
  private final Workers workers;

  JobRunner(JobBoard board, Transitions transitions, Interrupts interrupts, Workers workers) {
    this.board = board;
    this.transitions = transitions;
    this.interrupts = interrupts;
    this.workers = workers;
  }

  /** Watches the prompt's completion; a cancel asked for while it was being sent is carried out now. */
  void follow(ActiveJob job, PromptHandle handle) {
    ActiveJob.Ending wanted = board.attach(job, handle);
    if (wanted == ActiveJob.Ending.CANCEL) {
      interrupts.stopOnBackend(job);
    }
    handle.completion().whenComplete((outcome, error) -> {
      if (error == null) {
        workers.run(() -> onOutcome(job, outcome));
      }
    });
  }

  private void onOutcome(ActiveJob job, PromptOutcome outcome) {
    if (!board.isActive(job)) {
      return; // already ended here (backend down, timeout grace, cancel)
    }
    ActiveJob.Ending wanted = job.wanted();
    if (outcome instanceof PromptOutcome.Succeeded succeeded) {
      board.releaseSlot(job);
      transitions.complete(job, succeeded);
    } else if (outcome instanceof PromptOutcome.Failed failed) {
      String where = failed.nodeId() == null ? "" : " in " + job.nodeLabel(failed.nodeId());
      String type = failed.exceptionType() == null ? "" : " (" + failed.exceptionType() + ")";
      transitions.end(job, JobState.FAILED, "ComfyUI failed" + where + type + ": " + failed.message());
    } else if (wanted == ActiveJob.Ending.TIMEOUT) {
      transitions.end(job, JobState.TIMEOUT, interrupts.timeoutReason());
    } else if (wanted == ActiveJob.Ending.CANCEL) {
      transitions.end(job, JobState.CANCELLED, "cancelled");
    } else if (outcome instanceof PromptOutcome.Interrupted) {
      transitions.end(job, JobState.FAILED, "interrupted on ComfyUI by someone else");
    } else {
      transitions.end(job, JobState.FAILED,
          "vanished from ComfyUI's queue without a result (deleted there, or ComfyUI restarted)");
    }
  }
}
