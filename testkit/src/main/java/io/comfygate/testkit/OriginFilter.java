package io.comfygate.testkit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * ComfyUI's origin-only middleware, for every route including the WebSocket handshake: when the
 * Host is loopback and an Origin header names a different host, answer an empty 403.
 */
final class OriginFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    if (rejected(req.getHeader("Host"), req.getHeader("Origin"))) {
      resp.setStatus(403);
      resp.setContentType("application/octet-stream");
      resp.setContentLength(0);
      return;
    }
    chain.doFilter(req, resp);
  }

  static boolean rejected(String host, String origin) {
    if (host == null || origin == null) {
      return false;
    }
    String originHost;
    int originPort;
    try {
      URI o = new URI(origin);
      originHost = o.getHost();
      originPort = o.getPort();
    } catch (URISyntaxException e) {
      return false;
    }
    if (originHost == null || originHost.isEmpty()) {
      return false; // "Origin: null" parses to an empty host and skips the check
    }
    URI h = URI.create("http://" + host);
    if (h.getHost() == null || !isLoopback(h.getHost())) {
      return false;
    }
    boolean portsMatter = h.getPort() != -1 && originPort != -1;
    return !h.getHost().toLowerCase(Locale.ROOT).equals(originHost.toLowerCase(Locale.ROOT))
        || portsMatter && h.getPort() != originPort;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if ("localhost".equalsIgnoreCase(h)) {
      return true;
    }
    // Only literal addresses: the fake never resolves names, so it makes no traffic beyond loopback.
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
