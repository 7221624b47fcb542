package io.comfygate.remote.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A job as the server shows it ({@code GET /api/v1/jobs/{id}}). Times are null until they happen;
 * {@code position} counts from 1 while the job waits (0 otherwise), {@code etaSeconds} is null when
 * unknown.
 */
public record Job(String id, String userId, JobState state, String template, JsonNode params, int position,
    Long etaSeconds, Progress progress, Instant createdAt, Instant startedAt, Instant finishedAt, String error,
    List<ImageRef> images) {

  public Job {
    images = images == null ? List.of() : List.copyOf(images);
    progress = progress == null ? new Progress(0, null) : progress;
    state = state == null ? JobState.UNKNOWN : state;
  }

  /** Progress of a running job: percent 0..100 and the node ComfyUI runs. */
  public record Progress(int percent, String node) {}

  /** An output image of the job: its id and the path its file is served at. */
  public record ImageRef(String id, String url) {}
}
