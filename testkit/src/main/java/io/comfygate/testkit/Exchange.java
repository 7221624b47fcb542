package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** One HTTP request being answered: the route path (without {@code /api}), the body, and writers. */
final class Exchange {
  final HttpServletRequest req;
  final HttpServletResponse resp;
  final String route;
  final byte[] body;

  Exchange(HttpServletRequest req, HttpServletResponse resp, String route, byte[] body) {
    this.req = req;
    this.resp = resp;
    this.route = route;
    this.body = body;
  }

  String param(String name) {
    return req.getParameter(name);
  }

  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  void json(int status, JsonNode node) throws IOException {
    byte[] bytes = Json.write(node).getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("application/json; charset=utf-8");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  void text(int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  /** An aiohttp {@code web.Response(status=N)}: empty body, octet-stream. */
  void empty(int status) {
    resp.setStatus(status);
    resp.setContentType("application/octet-stream");
    resp.setContentLength(0);
  }

  /** aiohttp's text for an uncaught exception. */
  void serverError() throws IOException {
    text(500, "500 Internal Server Error\n\nServer got itself in trouble");
  }
}
