package io.comfygate.jobs;

/**
 * A caller's idempotency key for a job submission (the HTTP {@code Idempotency-Key} header): a
 * retried submit with the same key returns the job of the first one instead of creating another.
 * Keys are scoped per user, so two users may use the same key.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value 1 to {@value #MAX_LENGTH} printable ASCII characters (space to {@code ~})
 */
public record IdempotencyKey(String value) {
  public static final int MAX_LENGTH = 255;

  /**
   * Validates the value.
   *
   * @throws IllegalArgumentException saying what is wrong: empty, too long, or a character that is
   *     not printable ASCII (and where)
   */
  public IdempotencyKey {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("must be 1 to " + MAX_LENGTH + " printable ASCII characters (got none)");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "must be 1 to " + MAX_LENGTH + " printable ASCII characters (got " + value.length() + ")");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("must be printable ASCII; character " + (i + 1) + " is U+"
            + String.format("%04X", (int) c));
      }
    }
  }

  /**
   * Parses a key received from outside.
   *
   * @throws IllegalArgumentException if it is not a valid key (see the constructor)
   */
  public static IdempotencyKey of(String value) {
    return new IdempotencyKey(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
