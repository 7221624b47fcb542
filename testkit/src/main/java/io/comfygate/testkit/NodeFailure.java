package io.comfygate.testkit;

/** A simulated node raised an exception; becomes an {@code execution_error}. */
final class NodeFailure extends Exception {
  private final String exceptionType;

  NodeFailure(String exceptionType, String message) {
    super(message, null, false, false);
    this.exceptionType = exceptionType;
  }

  String exceptionType() {
    return exceptionType;
  }
}
