package io.comfygate.store;

import io.comfygate.internal.ids.SortableIds;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Identifies one stored image: {@code "i"} followed by 26 lowercase base32 characters, time-sortable
 * like {@link io.comfygate.jobs.JobId}. Ids are not guessable in sequence (80 random bits).
 *
 * @param value the textual id
 */
public record ImageId(String value) {
  private static final Pattern FORMAT = SortableIds.pattern('i');

  /**
   * Validates the value.
   *
   * @throws IllegalArgumentException if {@code value} is not a well-formed image id
   */
  public ImageId {
    if (value == null || !FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("not an image id: " + value);
    }
  }

  /** A new id ordered by {@code now}. */
  public static ImageId generate(Instant now) {
    return new ImageId(SortableIds.next('i', now));
  }

  /**
   * Parses an id received from outside.
   *
   * @throws IllegalArgumentException if the text is not a well-formed image id
   */
  public static ImageId of(String value) {
    return new ImageId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
