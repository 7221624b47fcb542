package io.comfygate.uploads;

import io.comfygate.internal.ids.SortableIds;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Identifies one uploaded input image: {@code "u"} followed by 26 lowercase base32 characters (80
 * random bits, so ids cannot be guessed). Opaque to callers; files are named by it, never by a name
 * from a request.
 *
 * @param value the textual id
 */
public record UploadId(String value) {
  private static final Pattern FORMAT = SortableIds.pattern('u');

  /**
   * Validates the value.
   *
   * @throws IllegalArgumentException if {@code value} is not a well-formed upload id
   */
  public UploadId {
    if (value == null || !FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("not an upload id: " + value);
    }
  }

  /** Whether {@code text} has the shape of an upload id. */
  public static boolean isWellFormed(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /** A fresh id, sorting after those made earlier (as {@link io.comfygate.store.ImageId#generate} does). */
  public static UploadId generate(Instant now) {
    return new UploadId(SortableIds.next('u', now));
  }

  /**
   * Parses an id received from outside.
   *
   * @throws IllegalArgumentException if the text is not a well-formed upload id
   */
  public static UploadId of(String value) {
    return new UploadId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
