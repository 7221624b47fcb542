package io.comfygate.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.ComfyForbiddenException;
import io.comfygate.errors.ComfyHttpException;
import io.comfygate.errors.ComfyIoException;
import io.comfygate.errors.ComfyNotFoundException;
import io.comfygate.errors.ComfyPayloadTooLargeException;
import io.comfygate.errors.ComfyServerErrorException;
import io.comfygate.errors.ComfyTimeoutException;
import io.comfygate.errors.ComfyUnavailableException;
import io.comfygate.errors.ComfyValidationException;
import io.comfygate.internal.json.Json;
import io.comfygate.internal.json.ValidationErrors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * Internal, not API. Maps a failed exchange to the exception that tells the caller what to do
 * (table in {@link io.comfygate.errors.ComfyException}). Messages always name server and call.
 */
public final class HttpErrors {
  private HttpErrors() {}

  /** A non-2xx answer. A 400 with ComfyUI's error JSON becomes a {@link ComfyValidationException}. */
  public static ComfyHttpException forStatus(URI server, String call, int status, String body) {
    String where = "ComfyUI at " + server + " answered " + call + " with " + status;
    String snippet = body == null || body.isBlank() ? "" : ": " + oneLine(body);
    switch (status) {
      case 400: {
        ComfyValidationException v = validation(where, body);
        return v != null ? v : new ComfyHttpException(where + snippet, status, body);
      }
      case 403:
        return new ComfyForbiddenException(where + " (origin check: a request whose Origin host differs from"
            + " its Host header is refused; forward Host unchanged and drop Origin)" + snippet, status, body);
      case 404:
        return new ComfyNotFoundException(where + snippet, status, body);
      case 413:
        return new ComfyPayloadTooLargeException(where + " (payload too large; the server's --max-upload-size"
            + " applies to prompts too)" + snippet, status, body);
      default:
        return status >= 500
            ? new ComfyServerErrorException(where + snippet, status, body)
            : new ComfyHttpException(where + snippet, status, body);
    }
  }

  private static ComfyValidationException validation(String where, String body) {
    JsonNode root;
    try {
      root = body == null ? null : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
    if (root == null || !root.isObject() || !root.has("error")) {
      return null;
    }
    JsonNode error = root.get("error");
    String type = error.isObject() ? Json.text(error, "type") : "";
    String message = error.isObject() ? Json.text(error, "message") : error.asText();
    String details = error.isObject() ? Json.text(error, "details") : "";
    var nodeErrors = ValidationErrors.nodeErrors(root.get("node_errors"));
    StringBuilder text = new StringBuilder(where).append(": prompt rejected: ").append(message);
    if (details != null && !details.isEmpty()) {
      text.append(" (").append(details).append(')');
    }
    nodeErrors.values().forEach(n -> n.errors().forEach(p -> text.append("; node ").append(n.nodeId())
        .append(' ').append(n.classType()).append(": ").append(p.message())
        .append(p.details().isEmpty() ? "" : " (" + p.details() + ")")));
    return new ComfyValidationException(text.toString(), body, type, message, details, nodeErrors);
  }

  /** A transport failure; {@code deadline} is the per-request timeout that applied. */
  public static RuntimeException forIo(URI server, String call, IOException e, Duration connectTimeout, Duration deadline) {
    if (e instanceof HttpConnectTimeoutException) {
      return new ComfyUnavailableException("ComfyUI at " + server + " is not reachable: " + call
          + " could not connect within " + connectTimeout, e);
    }
    if (e instanceof HttpTimeoutException) {
      return timeout(server, call, deadline, e);
    }
    if (isUnreachable(e)) {
      return new ComfyUnavailableException("ComfyUI at " + server + " is not reachable: " + call + " failed: " + describe(e), e);
    }
    return new ComfyIoException("I/O error talking to ComfyUI at " + server + " during " + call + ": " + describe(e), e);
  }

  public static ComfyTimeoutException timeout(URI server, String call, Duration deadline, Throwable cause) {
    return new ComfyTimeoutException("ComfyUI at " + server + " did not answer " + call + " within " + deadline, deadline, cause);
  }

  private static boolean isUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  private static String oneLine(String body) {
    String s = body.strip().replaceAll("\\s+", " ");
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }
}
