package io.comfygate.web.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A request body that is not the JSON expected: 400 saying where, never Jackson's internals. A
 * value of the wrong JSON type (a string where an object belongs) names its field in
 * {@code problems}, like the template parameters' 400 does; the whole body is the field
 * {@code body}.
 */
@Provider
public final class JsonInputMapper implements ExceptionMapper<JsonProcessingException> {
  @Override
  public Response toResponse(JsonProcessingException e) {
    if (e instanceof MismatchedInputException wrongType && !(e instanceof UnrecognizedPropertyException)) {
      return wrongType(wrongType);
    }
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

  private static Response wrongType(MismatchedInputException e) {
    String field = e.getPath().isEmpty() ? "body" : e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    String reason = "must be " + expected(e.getTargetType());
    return Errors.json(400, new ErrorMessage("bad_request", field + ": " + reason,
        List.of(new ErrorMessage.Problem(field, reason)), null, null, null));
  }

  /** What a JSON value of {@code type} is, in the API's words (never a Java class name). */
  private static String expected(Class<?> type) {
    if (type == null || JsonNode.class.isAssignableFrom(type)) {
      return "a JSON value of another type";
    }
    if (CharSequence.class.isAssignableFrom(type) || type.isEnum()) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "a number";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a JSON array";
    }
    return "a JSON object";
  }
}
