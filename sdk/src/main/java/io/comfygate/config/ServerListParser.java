package io.comfygate.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code COMFYUI_SERVER}: a comma-separated list of {@code host:port}, {@code
 * http://host:port} or {@code https://host:port} (IPv6 as {@code [::1]:8188}) into normalised base
 * URLs: scheme and host in lower case, {@code http://} added, no trailing slash.
 *
 * <p>The rule is deliberately strict (port required, no path): a typo here otherwise surfaces much
 * later as a confusing connection error against the wrong address.
 */
final class ServerListParser {
  static final String ALLOWED =
      "a comma-separated list of host:port, http://host:port or https://host:port"
          + " (port 1-65535, no path, no duplicates)";

  // Host names (also IPv4 and docker-style names with '_'), or a bracketed IPv6 literal.
  private static final Pattern AUTHORITY =
      Pattern.compile("(?<host>[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?|\\[[0-9A-Fa-f:.]+])"
          + "(:(?<port>[^:]*))?");
  private static final Pattern SCHEME = Pattern.compile("(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://");

  private ServerListParser() {}

  static ValueParser<List<URI>> parser() {
    return new ValueParser<>(ALLOWED, ServerListParser::parse);
  }

  /** @throws RejectedValueException naming the first bad entry (1-based) and what is wrong */
  static List<URI> parse(String raw) {
    // limit -1 keeps trailing empty entries, so "a:1," is reported instead of silently accepted.
    String[] entries = raw.split(",", -1);
    Set<URI> servers = new LinkedHashSet<>();
    for (int i = 0; i < entries.length; i++) {
      URI uri = parseEntry(i + 1, entries[i].strip());
      if (!servers.add(uri)) {
        throw new RejectedValueException("entry " + (i + 1) + " repeats " + uri);
      }
    }
    return List.copyOf(new ArrayList<>(servers));
  }

  private static URI parseEntry(int n, String entry) {
    if (entry.isEmpty()) {
      throw new RejectedValueException("entry " + n + " is empty");
    }
    String scheme = "http";
    String rest = entry;
    Matcher schemeMatcher = SCHEME.matcher(entry);
    if (schemeMatcher.lookingAt()) {
      scheme = schemeMatcher.group("scheme").toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new RejectedValueException("entry " + n + " has unknown scheme " + scheme + "://");
      }
      rest = entry.substring(schemeMatcher.end());
    }
    // A single trailing slash is harmless ("http://h:1/"); anything more is a path or query.
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (rest.contains("/") || rest.contains("?") || rest.contains("#")) {
      throw new RejectedValueException("entry " + n + " has a path or query");
    }
    Matcher m = AUTHORITY.matcher(rest);
    if (!m.matches()) {
      throw new RejectedValueException("entry " + n + " \"" + entry + "\" is not host:port");
    }
    String port = m.group("port");
    if (port == null) {
      throw new RejectedValueException("entry " + n + " \"" + entry + "\" has no port");
    }
    if (!isPort(port)) {
      throw new RejectedValueException("entry " + n + " \"" + entry + "\" has a bad port");
    }
    String host = m.group("host").toLowerCase(Locale.ROOT);
    return URI.create(scheme + "://" + host + ":" + Integer.parseInt(port));
  }

  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    int port = Integer.parseInt(s);
    return port >= 1 && port <= 65535;
  }
}
