package io.comfygate.web.docs;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * {@code GET /openapi.json}: the {@link ApiDocument}, built at the first request (building it takes
 * seconds, which deploys should not wait for) and kept. Open to anyone, like {@code /healthz}: it
 * describes the API's shapes, never data, and callers read it before they have credentials.
 */
public final class OpenApiServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient Supplier<byte[]> builder;
  private transient byte[] document;

  public OpenApiServlet(Supplier<byte[]> builder) {
    this.builder = builder;
  }

  private synchronized byte[] document() {
    if (document == null) {
      document = builder.get();
    }
    return document;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    byte[] document = document();
    response.setStatus(200);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setContentLength(document.length);
    response.getOutputStream().write(document);
  }
}
