package io.comfygate.web.errors;

import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** JAX-RS's own errors (unknown path 404, wrong method 405, wrong media type 415…) as JSON. */
@Provider
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    String message = status == 404 ? "No such resource" : e.getMessage() == null ? original.getStatusInfo().getReasonPhrase() : e.getMessage();
    Response.ResponseBuilder out = Response.fromResponse(Errors.json(status, ErrorMessage.of(Errors.code(status), message)));
    return out.build();
  }
}
