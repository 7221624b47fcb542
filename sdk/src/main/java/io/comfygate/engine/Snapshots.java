package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ImageStore;
import io.comfygate.store.StoredImage;
import io.comfygate.store.StoredJob;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Turns what the engine knows of a job into the public {@link Job}: its place in the queue, its
 * ETA (from the recent run times and what the backends are busy with) and its progress.
 */
final class Snapshots {
  private static final ObjectMapper JSON = Json.newMapper();

  private final EtaEstimator eta;
  private final ImageStore images;
  private final Clock clock;

  Snapshots(EtaEstimator eta, ImageStore images, Clock clock) {
    this.eta = eta;
    this.images = images;
    this.clock = clock;
  }

  /**
   * An active job as it is now. {@link JobBoard} calls this under its lock, with what it knows:
   * the job's place in the waiting room and the few jobs on the backends. O(backends), never
   * O(waiting jobs).
   *
   * @param position its place in the waiting room, 0 = next (-1: not waiting)
   * @param onBackends the jobs handed to a backend (a few per backend)
   * @param healthyBackends how many backends take jobs now
   */
  Job ofActive(ActiveJob job, int position, List<ActiveJob> onBackends, int healthyBackends) {
    StoredJob s = job.stored();
    Duration runTime = eta.runTime(s.template());
    Duration etaLeft = null;
    if (!s.state().isTerminal()) {
      if (s.state() == JobState.RUNNING && s.startedAt() != null) {
        etaLeft = EtaEstimator.remaining(runTime, Duration.between(s.startedAt(), clock.instant()));
      } else {
        int preQueued = 0;
        for (ActiveJob other : onBackends) {
          if (other.state() == JobState.QUEUED && other != job) {
            preQueued++;
          }
        }
        int ahead = position >= 0 ? position + preQueued : 0;
        etaLeft = EtaEstimator.eta(ahead, healthyBackends, soonestRemaining(onBackends, runTime), runTime);
      }
    }
    int shownPosition = position >= 0 ? position + 1 : s.state().isTerminal() ? -1 : 0;
    Job.Progress progress = s.state() == JobState.SUCCEEDED ? new Job.Progress(100, null)
        : new Job.Progress(job.percent(), job.node());
    return new Job(s.id(), s.userId(), s.state(), s.template(), job.params, shownPosition, etaLeft, progress,
        s.backend(), s.createdAt(), s.startedAt(), s.finishedAt(), s.error(), List.of());
  }

  /** A job the engine no longer follows, from its row (and its images, if it succeeded). */
  Job ofStored(StoredJob s) {
    List<StoredImage> imgs = s.state() == JobState.SUCCEEDED ? images.listByJob(s.id()) : List.of();
    return new Job(s.id(), s.userId(), s.state(), s.template(), params(s), -1, null,
        s.state() == JobState.SUCCEEDED ? new Job.Progress(100, null) : Job.Progress.NONE,
        s.backend(), s.createdAt(), s.startedAt(), s.finishedAt(), s.error(), imgs);
  }

  static Job withImages(Job j, List<StoredImage> imgs) {
    return new Job(j.id(), j.userId(), j.state(), j.template(), j.params(), j.position(), j.eta(), j.progress(),
        j.backend(), j.createdAt(), j.startedAt(), j.finishedAt(), j.error(), imgs);
  }

  static JsonNode params(StoredJob s) {
    try {
      return JSON.readTree(s.paramsJson());
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  private Duration soonestRemaining(List<ActiveJob> onBackends, Duration runTime) {
    Duration soonest = null;
    for (ActiveJob other : onBackends) {
      StoredJob o = other.stored();
      if (o.state() == JobState.RUNNING && o.startedAt() != null) {
        Duration left = EtaEstimator.remaining(runTime, Duration.between(o.startedAt(), clock.instant()));
        soonest = soonest == null || left.compareTo(soonest) < 0 ? left : soonest;
      }
    }
    return soonest == null ? Duration.ZERO : soonest;
  }
}
