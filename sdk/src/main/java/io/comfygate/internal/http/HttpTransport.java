package io.comfygate.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.ComfyException;
import io.comfygate.errors.ComfyInterruptedException;
import io.comfygate.errors.ComfyProtocolException;
import io.comfygate.internal.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Internal, not API. One JDK {@link HttpClient} for one ComfyUI server, on threads of its own
 * ({@link OwnedHttpClient}). Every call has a deadline: the request
 * timeout covers the wait for headers, and the whole exchange is awaited for at most the same
 * deadline plus the connect timeout. Thread-safe.
 */
public final class HttpTransport implements AutoCloseable {
  private final URI base;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final OwnedHttpClient http;

  public HttpTransport(URI base, Duration connectTimeout, Duration readTimeout) {
    this.base = base;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.http = OwnedHttpClient.http11("http", connectTimeout);
  }

  public URI base() {
    return base;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  /** A request builder for {@code pathAndQuery} (starting with '/') with the read timeout set. */
  public HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(readTimeout);
  }

  /** GET returning the JSON body. */
  public JsonNode getJson(String pathAndQuery) {
    return json("GET " + pathOnly(pathAndQuery), request(pathAndQuery).GET());
  }

  /** POST of a JSON body; returns the JSON answer, or null if the body is empty (as for /queue). */
  public JsonNode postJson(String path, JsonNode body) {
    String text;
    try {
      text = Json.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise request body for " + path, e);
    }
    return json("POST " + path, request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)));
  }

  /** Sends, checks for 2xx, parses JSON; null for an empty body. */
  public JsonNode json(String call, HttpRequest.Builder request) {
    HttpResponse<String> response = send(call, request.build(), HttpResponse.BodyHandlers.ofString(), readTimeout);
    requireSuccess(call, response.statusCode(), response.body());
    String body = response.body();
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ComfyProtocolException("ComfyUI at " + base + " answered " + call + " with a body that is not JSON: "
          + (body.length() > 200 ? body.substring(0, 200) + "…" : body), e);
    }
  }

  /** Throws the mapped exception unless {@code status} is 2xx. */
  public void requireSuccess(String call, int status, String body) {
    if (status / 100 != 2) {
      throw HttpErrors.forStatus(base, call, status, body);
    }
  }

  /**
   * Sends {@code request} and waits at most {@code deadline} (plus the connect timeout) for the
   * whole exchange; cancels it on timeout or interrupt.
   */
  public <T> HttpResponse<T> send(String call, HttpRequest request, HttpResponse.BodyHandler<T> handler, Duration deadline) {
    try {
      return sendOnce(call, request, handler, deadline);
    } catch (StaleConnection stale) {
      // A kept-alive connection that the server closed meanwhile (ComfyUI restarted): a GET is
      // safe to send once more, on a fresh connection. Anything else is reported as it is.
      if (!request.method().equals("GET")) {
        throw HttpErrors.forIo(base, call, stale.io, connectTimeout, deadline);
      }
      try {
        return sendOnce(call, request, handler, deadline);
      } catch (StaleConnection again) {
        throw HttpErrors.forIo(base, call, again.io, connectTimeout, deadline);
      }
    }
  }

  private <T> HttpResponse<T> sendOnce(String call, HttpRequest request, HttpResponse.BodyHandler<T> handler, Duration deadline) {
    HttpClient client = http.client().orElseThrow(
        () -> new ComfyException("HTTP transport for ComfyUI at " + base + " is closed; cannot " + call));
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(request, handler);
    try {
      return future.get(deadline.plus(connectTimeout).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw HttpErrors.timeout(base, call, deadline, e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ComfyInterruptedException("interrupted while waiting for " + call + " on ComfyUI at " + base, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        if (isStale(io)) {
          throw new StaleConnection(io);
        }
        throw HttpErrors.forIo(base, call, io, connectTimeout, deadline);
      }
      if (cause instanceof ComfyException ce) {
        throw ce;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new ComfyException("unexpected failure of " + call + " on ComfyUI at " + base, cause);
    }
  }

  /** The signs of a pooled connection the server had already closed, as the JDK client reports them. */
  private static boolean isStale(IOException io) {
    if (io instanceof java.nio.channels.ClosedChannelException || io instanceof java.io.EOFException) {
      return true;
    }
    String message = String.valueOf(io.getMessage());
    return message.contains("Connection reset") || message.contains("received no bytes")
        || message.contains("EOF reached");
  }

  /** Internal signal: the exchange failed on a stale connection and may be retried. */
  private static final class StaleConnection extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient IOException io;

    StaleConnection(IOException io) {
      super(io);
      this.io = io;
    }
  }

  /** Stops the client's threads, bounded by {@code timeout}, and drops the client. Idempotent. */
  public void close(Duration timeout) {
    http.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private static String pathOnly(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }
}
