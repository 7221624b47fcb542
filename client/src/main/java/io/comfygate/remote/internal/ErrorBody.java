package io.comfygate.remote.internal;

import java.util.List;

/** The API's one error shape: {@code {"error": code, "message": text, ...}}. */
record ErrorBody(String error, String message, List<Problem> problems, Integer limit, Long retryAfterSeconds,
    String errorId) {
  record Problem(String field, String reason) {}
}
