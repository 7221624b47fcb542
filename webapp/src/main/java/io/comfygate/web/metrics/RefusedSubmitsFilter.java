package io.comfygate.web.metrics;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Counts refused submits ({@code POST /api/v1/jobs}) by the status the API answered: 429 quota,
 * 503 unhealthy, 400/413/415/422 invalid, 5xx error. It sits behind authentication, so a missing or
 * wrong credential is not a refused submit. It only looks at the status; the answer is unchanged.
 */
final class RefusedSubmitsFilter implements Filter {
  private final ComfyMetrics metrics;

  RefusedSubmitsFilter(ComfyMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    chain.doFilter(request, response);
    if ("POST".equals(((HttpServletRequest) request).getMethod())) {
      JobMetrics.Refusal reason = reason(((HttpServletResponse) response).getStatus());
      if (reason != null) {
        metrics.refused(reason);
      }
    }
  }

  static JobMetrics.Refusal reason(int status) {
    switch (status) {
      case 429:
        return JobMetrics.Refusal.QUOTA;
      case 503:
        return JobMetrics.Refusal.UNHEALTHY;
      case 400:
      case 413:
      case 415:
      case 422:
        return JobMetrics.Refusal.INVALID;
      default:
        return status >= 500 ? JobMetrics.Refusal.ERROR : null;
    }
  }
}
