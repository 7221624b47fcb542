package io.comfygate.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The admin image filter. Dates bound {@code created_at}: {@code from} inclusive, {@code to}
 * exclusive. Immutable; start from {@link #all()} and narrow with the {@code with…} methods.
 *
 * @param userId only this user's images, or {@code null} for everyone's
 * @param include trash status to show
 * @param from earliest creation time (inclusive), or {@code null}
 * @param to creation time bound (exclusive), or {@code null}
 */
public record ImageQuery(String userId, Include include, Instant from, Instant to) {
  /**
   * Validates the filter.
   *
   * @throws IllegalArgumentException if {@code from} is not before {@code to}
   */
  public ImageQuery {
    Objects.requireNonNull(include, "include");
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to: " + from + " >= " + to);
    }
  }

  /** Every active image of every user. */
  public static ImageQuery all() {
    return new ImageQuery(null, Include.ACTIVE, null, null);
  }

  public ImageQuery withUser(String userId) {
    return new ImageQuery(userId, include, from, to);
  }

  public ImageQuery withInclude(Include include) {
    return new ImageQuery(userId, include, from, to);
  }

  public ImageQuery withRange(Instant from, Instant to) {
    return new ImageQuery(userId, include, from, to);
  }
}
