package io.comfygate.web.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.comfygate.engine.JobEngine;
import io.comfygate.health.HealthReport;
import io.comfygate.json.JsonMappers;
import io.comfygate.web.api.HealthView;
import io.comfygate.web.security.AuthFilter;
import io.comfygate.web.security.Identity;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /healthz}: 200 when every check passes, 503 when one fails. Open to anyone, since a
 * load balancer or monitor calls it without credentials: those get the verdict and each check's
 * name and status ({@link HealthView#anonymous}). Administrators, identified as on /api (API key,
 * HTTP Basic, signed-in session), also get each check's reason and latency, which name the output
 * folder, the backends' addresses and their errors. Credentials that are presented but wrong get
 * the anonymous view, not /api's 401: a probe's verdict must not depend on them.
 */
public final class HealthzServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient JobEngine engine;
  private final transient Filter identify;
  private final transient ObjectMapper json;

  /** @param identify establishes the caller's identity as on /api (the application's {@link AuthFilter}) */
  public HealthzServlet(JobEngine engine, Filter identify) {
    this.engine = engine;
    this.identify = identify;
    this.json = JsonMappers.newMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
    boolean[] identified = {false};
    // The filter's own answer (a 401 for wrong credentials) is discarded; ours goes to the real response.
    identify.doFilter(request, new DiscardedResponse(response), (req, res) -> {
      identified[0] = true;
      write(response, engine.health(), ((HttpServletRequest) req).isUserInRole(Identity.ADMIN));
    });
    if (!identified[0]) {
      write(response, engine.health(), false);
    }
  }

  private void write(HttpServletResponse response, HealthReport report, boolean admin) throws IOException {
    response.setStatus(report.ok() ? 200 : 503);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    json.writeValue(response.getOutputStream(), admin ? HealthView.of(report) : HealthView.anonymous(report));
  }
}
