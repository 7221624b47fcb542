package io.comfygate.internal.ids;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Makes time-sortable string ids: a one-letter prefix, 10 characters of millisecond time and 16
 * characters of randomness, all in lowercase Crockford base32. Ids made later sort after ids made
 * earlier (to the millisecond), so "newest first" can tie-break on the id.
 *
 * <p>Not part of the public API. Thread-safe: {@link SecureRandom} is safe for concurrent use.
 */
public final class SortableIds {
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final int TIME_CHARS = 10; // 50 bits: good until the year 37000
  private static final int RANDOM_CHARS = 16; // 80 bits: collisions are not a practical concern
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Length of an id without its prefix. */
  public static final int BODY_LENGTH = TIME_CHARS + RANDOM_CHARS;

  private SortableIds() {}

  /** A new id with the given prefix letter, ordered by {@code now}. */
  public static String next(char prefix, Instant now) {
    long millis = now.toEpochMilli();
    if (millis < 0) {
      throw new IllegalArgumentException("time must not be before the epoch: " + now);
    }
    char[] out = new char[1 + BODY_LENGTH];
    out[0] = prefix;
    for (int i = TIME_CHARS; i >= 1; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    byte[] random = new byte[RANDOM_CHARS];
    RANDOM.nextBytes(random);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      out[1 + TIME_CHARS + i] = ALPHABET[random[i] & 31];
    }
    return new String(out);
  }

  /** The pattern an id with this prefix must match. */
  public static Pattern pattern(char prefix) {
    return Pattern.compile(prefix + "[0-9a-hjkmnp-tv-z]{" + BODY_LENGTH + "}");
  }
}
