package io.comfygate.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The one shape of every error under /api: {@code {"error": code, "message": text, ...}}.
 *
 * @param error a stable code a program can switch on (bad_request, invalid_params, unauthorized,
 *     forbidden, not_found, quota_exceeded, unavailable, internal, …)
 * @param message a sentence for a person
 * @param problems for invalid_params: each bad field and why
 * @param limit for quota_exceeded, upload_quota_exceeded, payload_too_large and too_many_pixels: the
 *     limit reached (jobs or uploads, bytes, pixels)
 * @param retryAfterSeconds for quota_exceeded and upload_quota_exceeded: also sent as the Retry-After header
 * @param errorId for internal: the id under which the failure is logged
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorMessage(String error, String message, List<Problem> problems, Long limit, Long retryAfterSeconds,
    String errorId) {

  public static ErrorMessage of(String error, String message) {
    return new ErrorMessage(error, message, null, null, null, null);
  }

  /** One bad field. */
  public record Problem(String field, String reason) {}
}
