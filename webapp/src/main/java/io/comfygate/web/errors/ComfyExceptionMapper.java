package io.comfygate.web.errors;

import io.comfygate.errors.ComfyException;
import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.JobNotFoundException;
import io.comfygate.errors.LlmException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.errors.StoreException;
import io.comfygate.errors.UploadNotFoundException;
import io.comfygate.errors.UploadRejectedException;
import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's exceptions as HTTP: bad parameters 400 (each field named), unknown job 404, an
 * idempotency key reused for another request 422, over the limit 429 with Retry-After, no backend 503,
 * the prompt assistant's LLM off or failing 503 {@code llm_unavailable}. Anything else from the SDK is a 500 with an error id.
 */
@Provider
public final class ComfyExceptionMapper implements ExceptionMapper<ComfyException> {
  private static final Logger LOG = LoggerFactory.getLogger(ComfyExceptionMapper.class);
  private static final int BUSY_RETRY_SECONDS = 2;

  @Override
  public Response toResponse(ComfyException e) {
    if (e instanceof InvalidParamsException invalid) {
      return Errors.json(400, new ErrorMessage("invalid_params", e.getMessage(),
          invalid.problems().stream().map(p -> new ErrorMessage.Problem(p.field(), p.reason())).toList(), null, null, null));
    }
    if (e instanceof QuotaExceededException quota) {
      long seconds = Math.max(1, quota.retryAfter().toSeconds());
      return Response.fromResponse(Errors.json(429, new ErrorMessage("quota_exceeded", e.getMessage(), null,
          (long) quota.limit(), seconds, null))).header("Retry-After", seconds).build();
    }
    if (e instanceof UploadRejectedException rejected) {
      return uploadRejected(rejected);
    }
    if (e instanceof IdempotencyKeyReusedException) {
      return Errors.json(422, ErrorMessage.of("idempotency_key_reused", e.getMessage()));
    }
    if (e instanceof JobNotFoundException || e instanceof UploadNotFoundException) {
      return Errors.json(404, ErrorMessage.of("not_found", e.getMessage()));
    }
    if (e instanceof LlmException llm) {
      if (llm.kind() != LlmException.Kind.DISABLED) {
        LOG.atWarn().setMessage("prompt assistant failed").addKeyValue("event", "llm_failed")
            .addKeyValue("kind", llm.kind().name().toLowerCase(java.util.Locale.ROOT)).addKeyValue("reason", e.getMessage()).log();
      }
      return Errors.json(503, ErrorMessage.of("llm_unavailable", e.getMessage()));
    }
    if (e instanceof ServiceUnavailableException) {
      return Errors.json(503, ErrorMessage.of("unavailable", e.getMessage()));
    }
    if (e instanceof StoreException store && store.busy()) {
      // Another program holds the database's lock (a backup, an sqlite3 shell) or its disk is full.
      LOG.atWarn().setMessage("database busy").addKeyValue("event", "db_busy").addKeyValue("reason", e.getMessage()).log();
      return Response.fromResponse(Errors.json(503, ErrorMessage.of("busy",
          "The database is busy (locked by another program, or its disk is full); nothing was changed. Try again in a few seconds.")))
          .header("Retry-After", BUSY_RETRY_SECONDS).build();
    }
    String id = UUID.randomUUID().toString();
    LOG.atError().setMessage("request failed").addKeyValue("event", "error").addKeyValue("error_id", id).setCause(e).log();
    return Errors.json(500, new ErrorMessage("internal", "Something went wrong on our side (error id " + id + ")",
        null, null, null, id));
  }

  /**
   * Too large 413 (with the limit in bytes), over the user's bytes 413 (limit in bytes), not an
   * accepted image type 415, too many pixels 400 (limit in pixels), a damaged image 400.
   */
  private static Response uploadRejected(UploadRejectedException e) {
    switch (e.reason()) {
      case TOO_LARGE:
        return Errors.json(413, new ErrorMessage("payload_too_large", e.getMessage(), null, e.limit(), null, null));
      case USER_BYTES_QUOTA:
        return Errors.json(413, new ErrorMessage("upload_quota_exceeded", e.getMessage(), null, e.limit(), null, null));
      case TOO_MANY_PIXELS:
        return Errors.json(400, new ErrorMessage("too_many_pixels", e.getMessage(), null, e.limit(), null, null));
      case UNSUPPORTED_TYPE:
        return Errors.json(415, ErrorMessage.of("unsupported_media_type", e.getMessage()));
      default:
        return Errors.json(400, ErrorMessage.of("invalid_image", e.getMessage()));
    }
  }
}
