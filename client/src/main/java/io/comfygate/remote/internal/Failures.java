package io.comfygate.remote.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.remote.errors.ComfyGateException;
import io.comfygate.remote.errors.ForbiddenException;
import io.comfygate.remote.errors.IdempotencyKeyReusedException;
import io.comfygate.remote.errors.InvalidParamsException;
import io.comfygate.remote.errors.NotFoundException;
import io.comfygate.remote.errors.QuotaExceededException;
import io.comfygate.remote.errors.RejectedException;
import io.comfygate.remote.errors.ServerErrorException;
import io.comfygate.remote.errors.UnauthorizedException;
import io.comfygate.remote.errors.UnavailableException;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/** Turns an unsuccessful answer into the exception that says what the caller can do. */
final class Failures {
  private static final int MAX_BODY = 8192;

  private Failures() {}

  static ComfyGateException of(String what, Response response, ObjectMapper json) {
    int status = response.getStatus();
    String text = body(response);
    ErrorBody body = parse(text, json);
    String code = body == null ? null : body.error();
    String message = what + ": HTTP " + status + (body != null && body.message() != null ? " " + body.message()
        : text.isBlank() ? "" : " " + abbreviate(text));
    switch (status) {
      case 400:
        if ("invalid_params".equals(code)) {
          return new InvalidParamsException(message, body.problems() == null ? null : body.problems().stream()
              .map(p -> new InvalidParamsException.Problem(p.field(), p.reason())).toList());
        }
        return new RejectedException(status, code, message);
      case 401:
        return new UnauthorizedException(status, code, message);
      case 403:
        return new ForbiddenException(status, code, message);
      case 404:
        // Only the API's own not_found names a missing thing; a bare 404 is another server (a WAR being redeployed, a wrong URL).
        return "not_found".equals(code) ? new NotFoundException(status, code, message)
            : new UnavailableException(status, code, message + " (not ComfyGate's answer: is the URL right, is it deployed?)", null);
      case 422:
        return "idempotency_key_reused".equals(code) ? new IdempotencyKeyReusedException(status, code, message)
            : new RejectedException(status, code, message);
      case 429:
        return new QuotaExceededException(message, body == null ? null : body.limit(), retryAfter(response, body));
      case 502:
      case 503:
      case 504:
        return new UnavailableException(status, code, message, null);
      default:
        if (status >= 500) {
          return new ServerErrorException(status, code, message, body == null ? null : body.errorId());
        }
        return new RejectedException(status, code, message);
    }
  }

  /** Retry-After in seconds (header first, then the body's retry_after_seconds), or null. */
  static Duration retryAfter(Response response, ErrorBody body) {
    String header = response.getHeaderString("Retry-After");
    if (header != null && header.strip().matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(header.strip()));
    }
    return body != null && body.retryAfterSeconds() != null ? Duration.ofSeconds(body.retryAfterSeconds()) : null;
  }

  private static String body(Response response) {
    try {
      if (!response.hasEntity()) {
        return "";
      }
      String text = response.readEntity(String.class);
      return text == null ? "" : text.length() > MAX_BODY ? text.substring(0, MAX_BODY) : text;
    } catch (RuntimeException e) {
      return "";
    } finally {
      response.close();
    }
  }

  private static ErrorBody parse(String text, ObjectMapper json) {
    if (text.isBlank() || !text.stripLeading().startsWith("{")) {
      return null;
    }
    try {
      ErrorBody body = json.readValue(text, ErrorBody.class);
      return body.error() == null ? null : body;
    } catch (Exception e) {
      return null;
    }
  }

  private static String abbreviate(String text) {
    String one = text.replaceAll("\\s+", " ").strip();
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }
}
