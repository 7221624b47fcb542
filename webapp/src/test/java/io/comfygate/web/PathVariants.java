package io.comfygate.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ways an attacker spells one path so that a check reading the path's text and the router
 * reading it otherwise might disagree: path parameters ({@code ;x}, also encoded), doubled slashes,
 * dot segments (plain and encoded), encoded slashes and backslashes, encoded letters, other case,
 * a trailing slash, dot or parameter. Each variant is named for the failure report.
 */
final class PathVariants {
  private PathVariants() {}

  /** {@code path} (absolute, e.g. {@code /comfygate/api/v1/jobs}) spelled every way, by name. */
  static Map<String, String> of(String path) {
    String[] segments = path.substring(1).split("/", -1);
    Map<String, String> variants = new LinkedHashMap<>();
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      variants.put("';x' after " + s, join(segments, i, s + ";x"));
      variants.put("';' after " + s, join(segments, i, s + ";"));
      variants.put("'%3Bx' after " + s, join(segments, i, s + "%3Bx"));
      variants.put("'%253B' after " + s, join(segments, i, s + "%253Bx"));
      variants.put("'//' before " + s, join(segments, i, "/" + s));
      variants.put("'/./' before " + s, join(segments, i, "./" + s));
      variants.put("'/%2e/' before " + s, join(segments, i, "%2e/" + s));
      variants.put("'/x/../' before " + s, join(segments, i, "x/../" + s));
      variants.put("'/x/%2e%2e/' before " + s, join(segments, i, "x/%2e%2e/" + s));
      variants.put("'/x;y/../' before " + s, join(segments, i, "x;y/../" + s));
      variants.put("upper case " + s, join(segments, i, s.toUpperCase(Locale.ROOT)));
      variants.put("first letter encoded in " + s, join(segments, i, encodeFirstLetter(s)));
      variants.put("trailing '.' on " + s, join(segments, i, s + "."));
      if (i > 0) {
        variants.put("'%2F' before " + s, joinReplacingSlash(segments, i, "%2F"));
        variants.put("'%5C' before " + s, joinReplacingSlash(segments, i, "%5C"));
      }
    }
    variants.put("trailing '/'", path + "/");
    variants.put("trailing '//'", path + "//");
    variants.put("trailing '/.'", path + "/.");
    variants.put("trailing ';x'", path + ";x");
    variants.put("all upper case", path.toUpperCase(Locale.ROOT));
    variants.values().removeIf(v -> v.equals(path));
    return variants;
  }

  private static String join(String[] segments, int at, String replacement) {
    List<String> parts = new ArrayList<>(List.of(segments));
    parts.set(at, replacement);
    return "/" + String.join("/", parts);
  }

  private static String joinReplacingSlash(String[] segments, int before, String separator) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < segments.length; i++) {
      out.append(i == before ? separator : "/").append(segments[i]);
    }
    return out.toString();
  }

  private static String encodeFirstLetter(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (Character.isLetter(c) && c < 128) {
        return segment.substring(0, i) + String.format(Locale.ROOT, "%%%02X", (int) c) + segment.substring(i + 1);
      }
    }
    return segment;
  }
}
