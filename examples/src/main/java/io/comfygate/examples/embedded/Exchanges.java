package io.comfygate.examples.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reading and answering JSON over the JDK's HTTP server; errors as {"error": code, "message": text}. */
final class Exchanges {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Request bodies larger than this are refused. */
  private static final int MAX_BODY = 64 * 1024;

  private Exchanges() {}

  /** The request body as JSON; {@code null} when it is too large. */
  static JsonNode readJson(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY + 1);
      return body.length > MAX_BODY ? null : JSON.readTree(body);
    }
  }

  static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    send(exchange, status, JSON.createObjectNode().put("error", code).put("message", message));
  }

  /** True if the request uses {@code method}; otherwise answers 405 and returns false. */
  static boolean method(HttpExchange exchange, String method) throws IOException {
    if (method.equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", method);
    error(exchange, 405, "method_not_allowed", exchange.getRequestURI().getPath() + " takes " + method);
    return false;
  }

  /** A JSON parse error's first line, without Jackson's source excerpt. */
  static String reason(JsonProcessingException e) {
    return e.getOriginalMessage();
  }
}
