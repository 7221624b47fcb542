package io.comfygate.store;

/**
 * Which page of a listing to read: {@code page} counts from 1, {@code size} items per page.
 *
 * @param page 1-based page number
 * @param size items per page, 1 to {@link #MAX_SIZE}
 */
public record PageRequest(int page, int size) {
  /** The largest page size a store returns in one call. */
  public static final int MAX_SIZE = 500;

  /**
   * Validates the request.
   *
   * @throws IllegalArgumentException if {@code page < 1} or {@code size} is outside 1..{@value
   *     #MAX_SIZE}
   */
  public PageRequest {
    if (page < 1) {
      throw new IllegalArgumentException("page must be >= 1: " + page);
    }
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("size must be 1.." + MAX_SIZE + ": " + size);
    }
  }

  /** Rows to skip before this page. */
  public long offset() {
    return (long) (page - 1) * size;
  }
}
