package io.comfygate.remote;

import java.util.Map;

/**
 * The operations of ComfyGate's OpenAPI document this client leaves out on purpose, and why. Every
 * other operation is called by a method marked {@link CallsOperation}; a test holds the two lists
 * against the server's {@code /openapi.json}.
 */
public final class Operations {
  /** operationId → why the client does not offer it. */
  public static final Map<String, String> LEFT_OUT = Map.of(
      "signIn", "the browser's session sign-in; the client authenticates every request with an API key or Basic",
      "whoAmI", "part of the browser's session; a client knows who it is",
      "signOut", "part of the browser's session; the client holds no session",
      "openApi", "the document itself: read it with any HTTP client or a generator",
      "metrics", "Prometheus text for a scraper (administrators, the METRICS_TOKEN bearer, or anyone when public)");

  private Operations() {}
}
