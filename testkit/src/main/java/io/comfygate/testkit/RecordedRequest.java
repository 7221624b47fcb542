package io.comfygate.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request as the fake received it (WebSocket handshakes are not recorded). Immutable and
 * thread-safe.
 */
public final class RecordedRequest {
  private final String method;
  private final String path;
  private final String query;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers; // keys lower-cased by the caller
    this.body = body.clone();
  }

  /** The HTTP method, e.g. {@code POST}. */
  public String method() {
    return method;
  }

  /** The path as sent, without the query, e.g. {@code /api/prompt}. */
  public String path() {
    return path;
  }

  /** The raw query string without {@code ?}, or {@code null} if there was none. */
  public String query() {
    return query;
  }

  /** The first value of a header (case-insensitive name), or {@code null}. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body decoded as UTF-8 (empty string if there was none). */
  public String body() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** A copy of the raw body bytes. */
  public byte[] bodyBytes() {
    return body.clone();
  }

  @Override
  public String toString() {
    return method + " " + path + (query == null ? "" : "?" + query);
  }
}
