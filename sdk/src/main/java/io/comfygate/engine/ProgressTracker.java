package io.comfygate.engine;

import io.comfygate.errors.StoreException;
import io.comfygate.events.ComfyEvent;
import io.comfygate.events.ComfyEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows ComfyUI's events about one job's prompt while it runs: records its start, keeps its
 * percentage, current node and latest preview, and announces each as progress. Called on the
 * backend client's event thread, one event at a time per job.
 */
final class ProgressTracker {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobBoard board;
  private final Transitions transitions;
  private final Listeners listeners;

  ProgressTracker(JobBoard board, Transitions transitions, Listeners listeners) {
    this.board = board;
    this.transitions = transitions;
    this.listeners = listeners;
  }

  /** The listener to register with the job's prompt on its backend. */
  ComfyEventListener listenerFor(ActiveJob job) {
    return event -> onComfyEvent(job, event);
  }

  private void onComfyEvent(ActiveJob job, ComfyEvent event) {
    String about = event.relatedPromptId().orElse(null);
    if (about != null && !about.equals(job.stored().promptId())) {
      return;
    }
    try {
      onJobEvent(job, event);
    } catch (StoreException e) {
      // The start is recorded again by the next event, or at the latest with the job's end.
      LOG.debug("could not record the start of {} yet: {}", job.id(), e.getMessage());
    }
  }

  private void onJobEvent(ActiveJob job, ComfyEvent event) {
    if (event instanceof ComfyEvent.ExecutionStart) {
      transitions.markStarted(job);
    } else if (event instanceof ComfyEvent.Executing executing) {
      if (executing.node() != null && executing.promptId() != null) {
        transitions.markStarted(job);
        board.recordProgress(job, job.percent(), job.nodeLabel(executing.node()));
        emitProgress(job, null, null);
      }
    } else if (event instanceof ComfyEvent.Progress progress) {
      if (progress.max() > 0) {
        int percent = (int) Math.min(99, Math.round(100.0 * progress.value() / progress.max()));
        board.recordProgress(job, Math.max(job.percent(), percent),
            progress.node() != null ? job.nodeLabel(progress.node()) : job.node());
        emitProgress(job, null, null);
      }
    } else if (event instanceof ComfyEvent.Preview preview) {
      board.recordPreview(job, preview.bytes(), preview.mimeType());
      emitProgress(job, preview.bytes(), preview.mimeType());
    }
  }

  private void emitProgress(ActiveJob job, byte[] preview, String previewType) {
    Job snapshot = board.progressSnapshot(job);
    if (snapshot == null) {
      return;
    }
    listeners.emit(new JobEvent.Progress(snapshot, preview, previewType));
  }
}
