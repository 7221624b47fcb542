package io.comfygate.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.client.PromptHandle;
import io.comfygate.jobs.JobState;
import io.comfygate.store.StoredJob;
import java.time.Instant;

/**
 * What the engine knows of a job between submit and its end, beyond the stored row: its bound
 * workflow, where it runs, progress, the latest preview, and how we want it to end if we
 * interrupt it. Guarded by the engine's scheduling lock ({@link JobBoard#lock}), except the
 * progress fields, which only the job's event thread writes (volatile for readers).
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
  /** Its backend slot and user place were given back (ComfyUI is done with it). */
  boolean slotReleased;
  volatile int percent;
  volatile String node;
  volatile byte[] preview;
  volatile String previewType;

  ActiveJob(StoredJob stored, ObjectNode workflow) {
    this.stored = stored;
    this.workflow = workflow;
  }

  /** Mirrors a committed change of the row's backend ({@code null}: back in our queue). */
  void recordBackend(String backendName) {
    StoredJob s = stored;
    stored = new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), s.state(), backendName, s.promptId(),
        s.createdAt(), s.startedAt(), s.finishedAt(), s.error());
  }

  /** Mirrors a committed change of the row's state; {@code null} arguments keep what the row has. */
  void recordState(JobState state, Instant startedAt, Instant finishedAt, String error) {
    StoredJob s = stored;
    stored = new StoredJob(s.id(), s.userId(), s.template(), s.paramsJson(), state, s.backend(), s.promptId(),
        s.createdAt(), startedAt != null ? startedAt : s.startedAt(), finishedAt != null ? finishedAt : s.finishedAt(),
        error != null ? error : s.error());
  }

  /** The label of a node of its workflow for messages: "KSampler #3", or "#3" if the type is unknown. */
  String nodeLabel(String nodeId) {
    String type = workflow.path(nodeId).path("class_type").asText("");
    return type.isEmpty() ? "#" + nodeId : type + " #" + nodeId;
  }
}
