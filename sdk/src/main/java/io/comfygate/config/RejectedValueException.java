package io.comfygate.config;

/**
 * Thrown by a {@link ValueParser} that cannot accept a value. Carries only an optional detail
 * (e.g. "entry 2 has no port"); the key, value, source and "allowed" text are added by the caller,
 * which knows them.
 */
final class RejectedValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param detail why this particular value is wrong, or empty when "allowed" says it all */
  RejectedValueException(String detail) {
    // No stack trace: this is control flow for a user error, reported as a message.
    super(detail, null, false, false);
  }

  static RejectedValueException plain() {
    return new RejectedValueException("");
  }
}
