package io.comfygate.testkit;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every HTTP route, at {@code /x} and {@code /api/x}. Records the request, applies the HTTP fault
 * knobs, then dispatches. Mapped at {@code /}, which Tomcat also needs for the WebSocket upgrade.
 */
final class ApiServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient FakeServerState st;
  private final transient PromptRoutes prompts;
  private final transient InfoRoutes info;
  private final transient FileRoutes files;

  ApiServlet(FakeServerState st) {
    this.st = st;
    this.prompts = new PromptRoutes(st);
    this.info = new InfoRoutes(st);
    this.files = new FileRoutes(st);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getRequestURI();
    long length = req.getContentLengthLong();
    long max = st.config().maxUploadSize();
    if (length > max) {
      record(req, new byte[0]);
      Exchange ex = new Exchange(req, resp, path, new byte[0]);
      ex.text(413, "Maximum request body size " + max + " exceeded, actual body size " + length);
      return;
    }
    byte[] body = readBody(req.getInputStream(), max);
    record(req, body);
    if (!applyFaults(req, resp, body)) {
      return;
    }
    String route = path.startsWith("/api/") ? path.substring(4) : path;
    Exchange ex = new Exchange(req, resp, route, body);
    try {
      dispatch(ex, req.getMethod());
    } catch (RuntimeException e) {
      ex.serverError(); // aiohttp's answer to any uncaught exception
    }
  }

  /** False when a fault answered the request already. */
  private boolean applyFaults(HttpServletRequest req, HttpServletResponse resp, byte[] body) throws IOException {
    Duration delay = st.faults().httpDelay();
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // Tomcat is stopping; answer at once
      }
    }
    int failure = st.faults().httpFailure();
    if (failure != 0) {
      Exchange ex = new Exchange(req, resp, "", body);
      if (failure == 500) {
        ex.serverError();
      } else {
        ex.text(failure, failure + ": " + reason(failure));
      }
      return false;
    }
    return true;
  }

  private void dispatch(Exchange ex, String method) throws IOException {
    String r = ex.route;
    boolean get = "GET".equals(method);
    if (get && r.startsWith("/history/")) {
      prompts.getHistoryItem(ex, r.substring("/history/".length()));
    } else if (get && r.startsWith("/object_info/")) {
      info.objectInfoOf(ex, r.substring("/object_info/".length()));
    } else if (get && r.startsWith("/models/")) {
      info.modelsIn(ex, r.substring("/models/".length()));
    } else {
      switch (method + " " + r) {
        case "GET /prompt" -> prompts.getPrompt(ex);
        case "POST /prompt" -> prompts.postPrompt(ex);
        case "GET /queue" -> prompts.getQueue(ex);
        case "POST /queue" -> prompts.postQueue(ex);
        case "POST /interrupt" -> prompts.postInterrupt(ex);
        case "POST /free" -> prompts.postFree(ex);
        case "GET /history" -> prompts.getHistory(ex);
        case "POST /history" -> prompts.postHistory(ex);
        case "GET /view" -> files.view(ex);
        case "POST /upload/image" -> files.uploadImage(ex);
        case "GET /system_stats" -> info.systemStats(ex);
        case "GET /features" -> info.features(ex);
        case "GET /object_info" -> info.objectInfo(ex);
        case "GET /embeddings", "GET /extensions" -> info.emptyList(ex);
        case "GET /models" -> info.models(ex);
        default -> notFoundOrWrongMethod(ex);
      }
    }
  }

  private static void notFoundOrWrongMethod(Exchange ex) throws IOException {
    List<String> routes = List.of("/prompt", "/queue", "/interrupt", "/free", "/history", "/view", "/upload/image",
        "/system_stats", "/features", "/object_info", "/embeddings", "/extensions", "/models");
    if (routes.contains(ex.route)) {
      ex.text(405, "405: Method Not Allowed");
    } else {
      ex.text(404, "404: Not Found");
    }
  }

  private void record(HttpServletRequest req, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(req.getHeaderNames())) {
      headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(Collections.list(req.getHeaders(name))));
    }
    st.requests().add(new RecordedRequest(req.getMethod(), req.getRequestURI(), req.getQueryString(), headers, body));
  }

  private static byte[] readBody(InputStream in, long max) throws IOException {
    return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max));
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }
}
