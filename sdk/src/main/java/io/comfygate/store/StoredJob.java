package io.comfygate.store;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as the store holds it. Instants have millisecond precision (the store keeps epoch millis).
 *
 * @param id the job id
 * @param userId who submitted it
 * @param template the workflow template name
 * @param paramsJson the bound parameters as JSON text, stored verbatim
 * @param state the current state
 * @param backend the ComfyUI backend it was dispatched to, or {@code null}
 * @param promptId the ComfyUI prompt_id ({@link JobId#promptId()})
 * @param createdAt when it was submitted
 * @param startedAt when it started running, or {@code null}
 * @param finishedAt when it reached a terminal state, or {@code null}
 * @param error why it failed, or {@code null}
 */
public record StoredJob(
    JobId id,
    String userId,
    String template,
    String paramsJson,
    JobState state,
    String backend,
    String promptId,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String error) {

  public StoredJob {
    Objects.requireNonNull(id, "id");
    requireText(userId, "userId");
    requireText(template, "template");
    Objects.requireNonNull(paramsJson, "paramsJson");
    Objects.requireNonNull(state, "state");
    requireText(promptId, "promptId");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A new job waiting to run; its prompt id is derived from the job id. */
  public static StoredJob queued(
      JobId id, String userId, String template, String paramsJson, Instant createdAt) {
    return new StoredJob(
        id, userId, template, paramsJson, JobState.QUEUED, null, id.promptId(), createdAt, null,
        null, null);
  }

  static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank: " + value);
    }
  }
}
