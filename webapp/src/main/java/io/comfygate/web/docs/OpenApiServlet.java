package io.comfygate.web.docs;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /openapi.json}: the {@link ApiDocument}, built once at deploy. Open to anyone, like
 * {@code /healthz}: it describes the API's shapes, never data, and callers read it before they
 * have credentials.
 */
public final class OpenApiServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final byte[] document;

  public OpenApiServlet(byte[] document) {
    this.document = document.clone();
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    response.setStatus(200);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setContentLength(document.length);
    response.getOutputStream().write(document);
  }
}
