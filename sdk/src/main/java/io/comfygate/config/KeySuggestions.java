package io.comfygate.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Recognises near-misses of our key names in a {@code .env} file ({@code MAX_PER_USER_QEUE}) so
 * that a typo is reported instead of silently falling back to the default.
 */
final class KeySuggestions {
  private KeySuggestions() {}

  /** The known key closest to {@code name}, if it is close enough to be a plausible typo. */
  static Optional<String> closest(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Key<?> key : Keys.ALL) {
      int d = distance(upper, key.name());
      if (d < bestDistance) {
        best = key.name();
        bestDistance = d;
      }
    }
    // Two edits, or a little more for long names, catches typos without matching unrelated keys.
    int limit = Math.max(2, upper.length() / 6);
    return bestDistance <= limit ? Optional.of(best) : Optional.empty();
  }

  /**
   * Whether {@code name} looks like one of our keys: a near-miss, a different case of one, or a
   * name sharing the first word of one ({@code LOG_COLOUR}, {@code COMFY_RETRIES}).
   */
  static boolean looksLikeOurs(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (closest(name).isPresent() || upper.startsWith("COMFYGATE_")) {
      return true;
    }
    return Keys.ALL.stream().anyMatch(k -> upper.startsWith(firstWord(k.name())));
  }

  private static String firstWord(String keyName) {
    int underscore = keyName.indexOf('_');
    return underscore < 0 ? keyName : keyName.substring(0, underscore + 1);
  }

  /** Optimal string alignment distance: Levenshtein plus swaps of two neighbours ("EU"/"UE"). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
