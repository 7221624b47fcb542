package io.comfygate.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.client.PromptHandle;
import io.comfygate.store.StoredJob;

/**
 * What the engine knows of a job between submit and its end, beyond the stored row: its bound
 * workflow, where it runs, progress, the latest preview, and how we want it to end if we
 * interrupt it. Guarded by the engine's scheduling lock, except the progress fields, which only
 * the job's event thread writes (volatile for readers).
 */
final class ActiveJob {
  /** Why we interrupted a job, so its Interrupted/Vanished outcome maps to the right end state. */
  enum Ending { CANCEL, TIMEOUT }

  StoredJob stored;
  final ObjectNode workflow;
  Backend backend;
  PromptHandle handle;
  Ending wanted;
  long timeoutRequestedNanos;
  long dispatchedNanos;
  /** Its backend slot and user place were given back (ComfyUI is done with it). */
  boolean slotReleased;
  volatile int percent;
  volatile String node;
  volatile byte[] preview;
  volatile String previewType;
  volatile ProgressThrottle throttle;

  ActiveJob(StoredJob stored, ObjectNode workflow) {
    this.stored = stored;
    this.workflow = workflow;
  }
}
