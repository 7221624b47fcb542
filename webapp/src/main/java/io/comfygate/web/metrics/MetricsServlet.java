package io.comfygate.web.metrics;

import io.comfygate.web.security.AuthFilter;
import io.comfygate.web.security.Identity;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /metrics}: every metric in Prometheus text format 0.0.4, or OpenMetrics when the
 * {@code Accept} header asks for it. For the METRICS_TOKEN scraper (or anyone when
 * METRICS_PUBLIC=true) and for administrators, identified as on /api (API key, HTTP Basic against
 * the realm, or a signed-in session); others get the JSON 401/403 of /api.
 */
final class MetricsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient ComfyMetrics metrics;
  private final transient MetricsAccess access;
  private final transient Filter identify;

  /** @param identify establishes the caller's identity as on /api (the application's {@link AuthFilter}) */
  MetricsServlet(ComfyMetrics metrics, MetricsAccess access, Filter identify) {
    this.metrics = metrics;
    this.access = access;
    this.identify = identify;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
    if (access.letsIn(request.getHeader("Authorization"))) {
      write(request, response);
      return;
    }
    identify.doFilter(request, response, (req, res) -> {
      HttpServletRequest caller = (HttpServletRequest) req;
      HttpServletResponse answer = (HttpServletResponse) res;
      if (caller.getUserPrincipal() == null) {
        AuthFilter.reject(answer, 401, "unauthorized",
            "Metrics need the METRICS_TOKEN bearer token or an administrator's credentials");
      } else if (!caller.isUserInRole(Identity.ADMIN)) {
        AuthFilter.reject(answer, 403, "forbidden", "Metrics are for administrators and the METRICS_TOKEN scraper");
      } else {
        write(caller, answer);
      }
    });
  }

  private void write(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String type = ComfyMetrics.contentType(request.getHeader("Accept"));
    response.setStatus(200);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-store");
    metrics.scrape(response.getOutputStream(), type);
  }
}
