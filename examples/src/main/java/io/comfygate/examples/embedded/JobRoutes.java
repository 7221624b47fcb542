package io.comfygate.examples.embedded;

import static io.comfygate.examples.embedded.Exchanges.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.jobs.JobId;
import io.comfygate.store.StoredImage;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code POST /generate} (the body is the template's parameters, {@code {"prompt": "a cat"}}; the
 * user is the {@code X-User} header) answers 202 with the job; {@code GET /jobs/{id}} answers the
 * job as it is now, with the events the service has seen for it.
 */
final class JobRoutes {
  private final JobEngine engine;
  private final EventJournal journal;

  JobRoutes(JobEngine engine, EventJournal journal) {
    this.engine = engine;
    this.journal = journal;
  }

  void generate(HttpExchange exchange) throws IOException {
    if (!Exchanges.method(exchange, "POST")) {
      return;
    }
    JsonNode params;
    try {
      params = Exchanges.readJson(exchange);
    } catch (JsonProcessingException e) {
      Exchanges.error(exchange, 400, "invalid_json", "the body is not JSON: " + Exchanges.reason(e));
      return;
    }
    if (params == null || !params.isObject()) {
      Exchanges.error(exchange, 400, "invalid_json", "the body must be a JSON object of at most 64 KiB, such as {\"prompt\": \"a cat\"}");
      return;
    }
    String user = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-User")).orElse("anonymous");
    try {
      Job job = engine.submit(user, null, params);
      exchange.getResponseHeaders().set("Location", "/jobs/" + job.id());
      Exchanges.send(exchange, 202, view(job));
    } catch (InvalidParamsException e) {
      Exchanges.error(exchange, 400, "invalid_params", e.getMessage());
    } catch (QuotaExceededException e) {
      exchange.getResponseHeaders().set("Retry-After", String.valueOf(e.retryAfter().toSeconds()));
      Exchanges.error(exchange, 429, "quota_exceeded", e.getMessage());
    } catch (ServiceUnavailableException e) {
      Exchanges.error(exchange, 503, "unavailable", e.getMessage());
    }
  }

  void job(HttpExchange exchange) throws IOException {
    if (!Exchanges.method(exchange, "GET")) {
      return;
    }
    String id = exchange.getRequestURI().getPath().substring("/jobs/".length());
    Optional<Job> job;
    try {
      job = engine.find(JobId.of(id));
    } catch (IllegalArgumentException notAnId) {
      job = Optional.empty();
    }
    if (job.isEmpty()) {
      Exchanges.error(exchange, 404, "not_found", "no job " + id);
      return;
    }
    Exchanges.send(exchange, 200, view(job.get()));
  }

  private ObjectNode view(Job job) {
    ObjectNode view = JSON.createObjectNode()
        .put("id", job.id().value())
        .put("user", job.userId())
        .put("state", job.state().wireName())
        .put("position", job.position())
        .put("percent", job.progress().percent())
        .put("node", job.progress().node())
        .put("eta_seconds", job.etaIfKnown().map(d -> d.toSeconds()).orElse(null))
        .put("error", job.error());
    for (StoredImage image : job.images()) {
      view.withArray("images").addObject()
          .put("file", image.file()).put("width", image.width()).put("height", image.height());
    }
    journal.eventsOf(job.id()).forEach(view.withArray("events")::add);
    return view;
  }
}
