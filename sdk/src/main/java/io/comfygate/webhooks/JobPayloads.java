package io.comfygate.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The body of a webhook: {@code {event_id, type, occurred_at, job}} where {@code job} has the shape
 * of {@code GET /api/v1/jobs/{id}}, read from the job's row inside the transaction of the change,
 * so it is the job exactly as the event left it. {@code position} and {@code eta_seconds} are
 * {@code null} there: they move without events (poll the job for them).
 */
final class JobPayloads {
  private static final ObjectMapper JSON = Json.newMapper();

  private final String imageUrlBase;

  /** @param imageUrlBase prefix of image file URLs, e.g. {@code /api/}: {@code <prefix>v1/images/<id>/file} */
  JobPayloads(String imageUrlBase) {
    this.imageUrlBase = imageUrlBase;
  }

  static String type(String state) {
    return "job." + state;
  }

  String render(Connection tx, JobId id, String eventId, String state, Instant occurredAt) throws SQLException {
    ObjectNode event = JSON.createObjectNode();
    event.put("event_id", eventId);
    event.put("type", type(state));
    event.put("occurred_at", occurredAt.toString());
    event.set("job", job(tx, id));
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write webhook payload of " + id, e);
    }
  }

  private ObjectNode job(Connection tx, JobId id) throws SQLException {
    ObjectNode job = JSON.createObjectNode();
    try (PreparedStatement select = tx.prepareStatement("SELECT * FROM jobs WHERE id = ?")) {
      select.setString(1, id.value());
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new SQLException("job " + id + " vanished inside its own transaction");
        }
        String state = row.getString("state");
        job.put("id", id.value());
        job.put("user_id", row.getString("user_id"));
        job.put("state", state);
        job.put("template", row.getString("template"));
        job.set("params", params(row.getString("params")));
        job.putNull("position");
        job.putNull("eta_seconds");
        ObjectNode progress = job.putObject("progress");
        progress.put("percent", state.equals("succeeded") ? 100 : 0);
        progress.putNull("node");
        job.put("created_at", iso(row, "created_at"));
        job.put("started_at", iso(row, "started_at"));
        job.put("finished_at", iso(row, "finished_at"));
        job.put("error", row.getString("error"));
      }
    }
    ArrayNode images = job.putArray("images");
    try (PreparedStatement select = tx.prepareStatement(
        "SELECT id FROM images WHERE job_id = ? AND deleted_at IS NULL ORDER BY id")) {
      select.setString(1, id.value());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String imageId = rows.getString("id");
          images.addObject().put("id", imageId).put("url", imageUrlBase + "v1/images/" + imageId + "/file");
        }
      }
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

  private static String iso(ResultSet row, String column) throws SQLException {
    long millis = row.getLong(column);
    return row.wasNull() ? null : Instant.ofEpochMilli(millis).toString();
  }
}
