package io.comfygate.web.errors;

/** A query or path parameter that cannot be used (HTTP 400), naming the parameter. */
public final class BadParameterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String parameter;

  public BadParameterException(String parameter, String reason) {
    super(parameter + ": " + reason);
    this.parameter = parameter;
  }

  public String parameter() {
    return parameter;
  }
}
