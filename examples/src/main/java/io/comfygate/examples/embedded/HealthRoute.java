package io.comfygate.examples.embedded;

import static io.comfygate.examples.embedded.Exchanges.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.comfygate.engine.JobEngine;
import io.comfygate.health.CheckResult;
import io.comfygate.health.HealthReport;
import java.io.IOException;

/** {@code GET /health}: the engine's health report, 200 when every check passes, else 503. */
final class HealthRoute {
  private final JobEngine engine;

  HealthRoute(JobEngine engine) {
    this.engine = engine;
  }

  void health(HttpExchange exchange) throws IOException {
    if (!Exchanges.method(exchange, "GET")) {
      return;
    }
    HealthReport report = engine.health();
    ObjectNode body = JSON.createObjectNode().put("status", report.verdict());
    for (CheckResult check : report.checks()) {
      body.withArray("checks").addObject()
          .put("name", check.name()).put("status", check.status().name()).put("reason", check.reason());
    }
    Exchanges.send(exchange, report.ok() ? 200 : 503, body);
  }
}
