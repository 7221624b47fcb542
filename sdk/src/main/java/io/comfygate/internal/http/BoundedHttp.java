package io.comfygate.internal.http;

import io.comfygate.internal.Durations;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * JDK HttpClient calls with a hard deadline and failures described in words. Internal.
 *
 * <p>{@link HttpRequest.Builder#timeout} stops at the response headers; {@link #send} also bounds
 * reading the body, so a server that trickles its answer cannot hold the caller.
 */
public final class BoundedHttp {
  private BoundedHttp() {}

  /** Why a call got no HTTP answer, and how to say it after the server's name. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    Failure(boolean timeout, String phrase, Throwable cause) {
      super(phrase, cause);
      this.timeout = timeout;
    }

    /** True for "no answer in time"; false for "no connection" (refused, unknown host, broken). */
    public boolean isTimeout() {
      return timeout;
    }
  }

  /**
   * Sends and waits at most {@code deadline} for the whole answer, body included.
   *
   * @throws Failure with a phrase such as "is not reachable: connection refused" or "gave no answer
   *     within 3 s", meant to follow the server's name
   * @throws InterruptedException if interrupted; the call is cancelled first
   */
  public static HttpResponse<String> send(HttpClient http, HttpRequest request, Duration deadline, Duration connectTimeout)
      throws Failure, InterruptedException {
    CompletableFuture<HttpResponse<String>> call = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    try {
      return call.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      call.cancel(true);
      throw noAnswer(deadline, e);
    } catch (ExecutionException e) {
      throw describe(e.getCause() == null ? e : e.getCause(), deadline, connectTimeout);
    }
  }

  /**
   * What went wrong with a call, as a phrase to follow the server's name ("is not reachable:
   * connection refused"), for callers that send on their own.
   */
  public static String phrase(Throwable cause, Duration deadline, Duration connectTimeout) {
    return describe(cause, deadline, connectTimeout).getMessage();
  }

  private static Failure describe(Throwable cause, Duration deadline, Duration connectTimeout) {
    if (cause instanceof HttpConnectTimeoutException) {
      return new Failure(false, "is not reachable: connect timed out after " + Durations.human(connectTimeout), cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return noAnswer(deadline, cause);
    }
    if (has(cause, ConnectException.class)) {
      return new Failure(false, "is not reachable: connection refused", cause);
    }
    if (has(cause, UnresolvedAddressException.class)) {
      return new Failure(false, "is not reachable: unknown host", cause);
    }
    if (has(cause, ClosedChannelException.class) || has(cause, EOFException.class)) {
      return new Failure(false, "closed the connection before answering", cause);
    }
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    String what = cause instanceof IOException ? "connection failed: " : "request failed: ";
    return new Failure(false, what + detail, cause);
  }

  private static Failure noAnswer(Duration deadline, Throwable cause) {
    return new Failure(true, "gave no answer within " + Durations.human(deadline), cause);
  }

  private static boolean has(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
