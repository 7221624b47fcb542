package io.comfygate.web.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.json.JsonMappers;
import io.comfygate.web.api.ErrorMessage;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;

/**
 * A {@code Content-Type} that does not parse ({@code json}, {@code application/json; charset=}) is
 * a 400 naming the header, in the one error shape. Mapped on /api before everything else: Jersey's
 * servlet parses the header before any filter or exception mapper of the application runs, and
 * answers a bad one with an empty 400. Parsed here with the same JAX-RS parser.
 */
public final class ContentTypeFilter implements Filter {
  private static final ObjectMapper JSON = JsonMappers.newMapper();

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    String value = ((HttpServletRequest) req).getHeader("Content-Type");
    if (value != null && !parses(value)) {
      HttpServletResponse response = (HttpServletResponse) res;
      response.setStatus(400);
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      JSON.writeValue(response.getOutputStream(), badHeader("Content-Type", value, "is not a media type (like application/json)"));
      return;
    }
    chain.doFilter(req, res);
  }

  private static boolean parses(String value) {
    try {
      MediaType.valueOf(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The 400 body for a header that does not parse: the header named as the field, its value shortened. */
  static ErrorMessage badHeader(String header, String value, String reason) {
    String shown = value == null ? "" : value.length() <= 40 ? value : value.substring(0, 37) + "...";
    return new ErrorMessage("bad_request", header + ": " + reason + " (got \"" + shown + "\")",
        List.of(new ErrorMessage.Problem(header, reason)), null, null, null);
  }
}
