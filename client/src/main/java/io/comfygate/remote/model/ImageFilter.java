package io.comfygate.remote.model;

import java.time.Instant;

/**
 * The admin image list's filters; every field is optional (null). {@code from} is inclusive,
 * {@code to} exclusive.
 *
 * @param include active (the default), deleted (the trash) or all
 */
public record ImageFilter(String userId, Include include, Instant from, Instant to) {
  /** No filter: every user's active images. */
  public static ImageFilter all() {
    return new ImageFilter(null, null, null, null);
  }

  public ImageFilter withUser(String user) {
    return new ImageFilter(user, include, from, to);
  }

  public ImageFilter withInclude(Include which) {
    return new ImageFilter(userId, which, from, to);
  }

  /** Created in [{@code fromInclusive}, {@code toExclusive}); either may be null. */
  public ImageFilter createdBetween(Instant fromInclusive, Instant toExclusive) {
    if (fromInclusive != null && toExclusive != null && !fromInclusive.isBefore(toExclusive)) {
      throw new IllegalArgumentException("from must be before to: " + fromInclusive + " / " + toExclusive);
    }
    return new ImageFilter(userId, include, fromInclusive, toExclusive);
  }

  /** Which images a list shows. */
  public enum Include {
    ACTIVE, DELETED, ALL;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
