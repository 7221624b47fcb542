package io.comfygate.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.engine.Job;
import java.util.List;

/** A job as the API shows it (SPEC §5). Times are ISO-8601 UTC, null until they happen. */
public record JobView(String id, String userId, String state, String template, JsonNode params, int position,
    Long etaSeconds, ProgressView progress, String createdAt, String startedAt, String finishedAt, String error,
    List<ImageRef> images) {

  /** Progress of a running job. */
  public record ProgressView(int percent, String node) {}

  /** An output image of the job and where to fetch it. */
  public record ImageRef(String id, String url) {}

  public static JobView of(Job job, String apiBase) {
    return new JobView(job.id().value(), job.userId(), job.state().wireName(), job.template(), job.params(),
        job.position(), job.eta() == null ? null : Math.max(0, (job.eta().toMillis() + 999) / 1000),
        new ProgressView(job.progress().percent(), job.progress().node()), Times.iso(job.createdAt()),
        Times.iso(job.startedAt()), Times.iso(job.finishedAt()), job.error(),
        job.images().stream().map(i -> new ImageRef(i.id().value(), ImageView.fileUrl(apiBase, i.id().value()))).toList());
  }
}
