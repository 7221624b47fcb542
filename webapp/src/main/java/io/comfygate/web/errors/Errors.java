package io.comfygate.web.errors;

import io.comfygate.web.api.ErrorMessage;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds the JSON error responses of every mapper, so all of them have the one shape. */
final class Errors {
  private Errors() {}

  static Response json(int status, ErrorMessage body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }

  /** A value echoed in a message, cut to 100 characters (a path can be as long as the client likes). */
  static String shorten(String value) {
    return value.length() <= 100 ? value : value.substring(0, 97) + "...";
  }

  /** The error code for a plain HTTP status. */
  static String code(int status) {
    switch (status) {
      case 400: return "bad_request";
      case 401: return "unauthorized";
      case 403: return "forbidden";
      case 404: return "not_found";
      case 405: return "method_not_allowed";
      case 406: return "not_acceptable";
      case 409: return "conflict";
      case 413: return "payload_too_large";
      case 415: return "unsupported_media_type";
      case 422: return "unprocessable";
      case 429: return "quota_exceeded";
      case 503: return "unavailable";
      default: return status >= 500 ? "internal" : "error";
    }
  }
}
