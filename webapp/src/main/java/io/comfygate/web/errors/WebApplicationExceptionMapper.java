package io.comfygate.web.errors;

import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * JAX-RS's own errors (unknown path 404, wrong method 405, wrong media type 415…) as JSON. A 404
 * that no resource method raised says the endpoint does not exist, naming the request; one that a
 * method raised keeps that method's message ("No webhook event e01…").
 */
@Provider
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  @Context private ResourceInfo resource;
  @Context private UriInfo uri;
  @Context private Request request;

  @Override
  public Response toResponse(WebApplicationException e) {
    Response original = e.getResponse();
    int status = original.getStatus();
    String message;
    if (status == 404 && !matched()) {
      message = "No such endpoint: " + request.getMethod() + " /" + Errors.shorten(uri.getPath());
    } else if (status == 404 && (e.getMessage() == null || e.getMessage().startsWith("HTTP 404"))) {
      message = "No such resource";
    } else {
      message = e.getMessage() == null ? original.getStatusInfo().getReasonPhrase() : e.getMessage();
    }
    return Response.fromResponse(Errors.json(status, ErrorMessage.of(Errors.code(status), message))).build();
  }

  private boolean matched() {
    try {
      return resource != null && resource.getResourceMethod() != null;
    } catch (IllegalStateException outsideARequest) {
      return false;
    }
  }
}
