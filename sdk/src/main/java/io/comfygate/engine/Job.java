package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.StoredImage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one job as its user sees it: state, place in the queue, ETA, progress, outputs.
 * Immutable; a new snapshot is taken for every event.
 *
 * @param position place among waiting jobs (0 = next to start); -1 once dispatched or finished
 * @param eta expected time until it finishes, while queued or running; {@code null} otherwise
 * @param progress percent done (0-100) and the node running now; {@link Progress#NONE} before start
 * @param backend the ComfyUI server it was given to, or {@code null}
 * @param error why it failed, timed out or was cancelled; {@code null} otherwise
 * @param images its outputs, once succeeded
 */
public record Job(
    JobId id,
    String userId,
    JobState state,
    String template,
    JsonNode params,
    int position,
    Duration eta,
    Progress progress,
    String backend,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String error,
    List<StoredImage> images) {

  public Job {
    images = List.copyOf(images);
    params = params.deepCopy();
  }

  @Override
  public JsonNode params() {
    return params.deepCopy();
  }

  public Optional<Duration> etaIfKnown() {
    return Optional.ofNullable(eta);
  }

  /**
   * How far a job has got.
   *
   * @param percent 0-100, never decreasing while the job runs
   * @param node the node executing now, as "ClassType #id", or {@code null}
   */
  public record Progress(int percent, String node) {
    public static final Progress NONE = new Progress(0, null);

    public Progress {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("percent must be 0..100: " + percent);
      }
    }
  }
}
