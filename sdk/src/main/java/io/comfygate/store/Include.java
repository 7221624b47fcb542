package io.comfygate.store;

import java.util.Locale;

/** Which images a listing shows, by trash status. Wire names are lowercase. */
public enum Include {
  /** Images not in the trash. */
  ACTIVE,
  /** Images in the trash only. */
  DELETED,
  /** Both. */
  ALL;

  /**
   * Parses {@code active}, {@code deleted} or {@code all}, ignoring case.
   *
   * @throws IllegalArgumentException naming the allowed values otherwise
   */
  public static Include fromWireName(String text) {
    for (Include include : values()) {
      if (include.name().equalsIgnoreCase(text)) {
        return include;
      }
    }
    throw new IllegalArgumentException(
        "unknown include: " + text + " (allowed: active, deleted, all)");
  }

  /** The lowercase name, e.g. {@code "deleted"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
