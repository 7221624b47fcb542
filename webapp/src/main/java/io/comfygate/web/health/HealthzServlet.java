package io.comfygate.web.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.engine.JobEngine;
import io.comfygate.health.HealthReport;
import io.comfygate.internal.json.Json;
import io.comfygate.web.api.HealthView;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /healthz}: 200 when every check passes, 503 when one fails, with each check (each
 * ComfyUI backend, database write, free disk, LLM) and the reason of a failure. Open to anyone: a
 * load balancer or monitor calls it; it tells no secrets.
 */
public final class HealthzServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient JobEngine engine;
  private final transient ObjectMapper json;

  public HealthzServlet(JobEngine engine) {
    this.engine = engine;
    this.json = Json.newMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    HealthReport report = engine.health();
    response.setStatus(report.ok() ? 200 : 503);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    json.writeValue(response.getOutputStream(), HealthView.of(report));
  }
}
