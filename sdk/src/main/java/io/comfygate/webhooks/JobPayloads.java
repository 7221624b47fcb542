package io.comfygate.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ImageId;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WebhookStore;
import java.time.Instant;
import java.util.List;

/**
 * The body of a webhook: {@code {event_id, type, occurred_at, job}} where {@code job} has the shape
 * of {@code GET /api/v1/jobs/{id}}, made from the job's row as the store reads it inside the
 * transaction of the change, so it is the job exactly as the event left it. {@code position} and
 * {@code eta_seconds} are {@code null} there: they move without events (poll the job for them).
 */
final class JobPayloads implements WebhookStore.Payloads {
  private static final ObjectMapper JSON = Json.newMapper();

  private final String imageUrlBase;

  /** @param imageUrlBase prefix of image file URLs, e.g. {@code /api/}: {@code <prefix>v1/images/<id>/file} */
  JobPayloads(String imageUrlBase) {
    this.imageUrlBase = imageUrlBase;
  }

  @Override
  public String render(String eventId, String type, Instant occurredAt, StoredJob job, List<ImageId> images) {
    ObjectNode event = JSON.createObjectNode();
    event.put("event_id", eventId);
    event.put("type", type);
    event.put("occurred_at", occurredAt.toString());
    event.set("job", job(job, images));
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write webhook payload of " + job.id(), e);
    }
  }

  private ObjectNode job(StoredJob row, List<ImageId> imageIds) {
    ObjectNode job = JSON.createObjectNode();
    job.put("id", row.id().value());
    job.put("user_id", row.userId());
    job.put("state", row.state().wireName());
    job.put("template", row.template());
    job.set("params", params(row.paramsJson()));
    job.putNull("position");
    job.putNull("eta_seconds");
    ObjectNode progress = job.putObject("progress");
    progress.put("percent", row.state() == JobState.SUCCEEDED ? 100 : 0);
    progress.putNull("node");
    job.put("created_at", iso(row.createdAt()));
    job.put("started_at", iso(row.startedAt()));
    job.put("finished_at", iso(row.finishedAt()));
    job.put("error", row.error());
    ArrayNode images = job.putArray("images");
    for (ImageId id : imageIds) {
      images.addObject().put("id", id.value()).put("url", imageUrlBase + "v1/images/" + id.value() + "/file");
    }
    return job;
  }

  private static JsonNode params(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return JSON.createObjectNode();
    }
  }

  private static String iso(Instant at) {
    return at == null ? null : at.toString();
  }
}
