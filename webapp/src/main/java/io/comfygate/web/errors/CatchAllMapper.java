package io.comfygate.web.errors;

import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anything unexpected: 500 with an error id, and the same id on the logged stack trace, so a user
 * can quote it and an operator can find it. The response never carries the exception's text.
 */
@Provider
public final class CatchAllMapper implements ExceptionMapper<Throwable> {
  private static final Logger LOG = LoggerFactory.getLogger(CatchAllMapper.class);

  @Override
  public Response toResponse(Throwable e) {
    String id = UUID.randomUUID().toString();
    LOG.atError().setMessage("unexpected failure").addKeyValue("event", "error").addKeyValue("error_id", id).setCause(e).log();
    return Errors.json(500, new ErrorMessage("internal", "Something went wrong on our side (error id " + id + ")",
        null, null, null, id));
  }
}
