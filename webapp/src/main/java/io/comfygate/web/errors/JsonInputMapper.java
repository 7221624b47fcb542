package io.comfygate.web.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A request body that is not the JSON expected: 400 saying where, never Jackson's internals. */
@Provider
public final class JsonInputMapper implements ExceptionMapper<JsonProcessingException> {
  @Override
  public Response toResponse(JsonProcessingException e) {
    String message;
    if (e instanceof UnrecognizedPropertyException unknown) {
      message = "unknown field \"" + unknown.getPropertyName() + "\"";
    } else {
      String original = e.getOriginalMessage();
      message = "request body is not valid JSON: " + (original.length() > 160 ? original.substring(0, 160) + "…" : original);
    }
    if (e.getLocation() != null) {
      message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
    return Errors.json(400, ErrorMessage.of("bad_request", message));
  }
}
