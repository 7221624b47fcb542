package io.comfygate.web.errors;

import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/** A bad query or path parameter: 400 naming it. */
@Provider
public final class BadParameterMapper implements ExceptionMapper<BadParameterException> {
  @Override
  public Response toResponse(BadParameterException e) {
    return Errors.json(400, new ErrorMessage("bad_request", e.getMessage(),
        List.of(new ErrorMessage.Problem(e.parameter(), e.getMessage().substring(e.parameter().length() + 2))),
        null, null, null));
  }
}
