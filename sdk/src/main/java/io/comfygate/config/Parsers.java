package io.comfygate.config;

import io.comfygate.internal.net.AddressRange;
import io.comfygate.internal.net.IpLiteral;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Factories for the value rules used by the key table ({@link Keys}). */
final class Parsers {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[?[0-9A-Fa-f:.]+]?");

  private Parsers() {}

  /**
   * A whole number in {@code [min, max]}. {@code unit} (e.g. "seconds") only shapes the message.
   * A {@code max} of {@link Long#MAX_VALUE} or {@link Integer#MAX_VALUE} reads as "no upper bound".
   */
  static ValueParser<Long> wholeNumber(String unit, long min, long max) {
    String allowed =
        "a whole number" + (unit.isEmpty() ? "" : " of " + unit) + " " + bounds(min, max);
    return new ValueParser<>(
        allowed,
        raw -> {
          if (!WHOLE_NUMBER.matcher(raw).matches()) {
            throw RejectedValueException.plain();
          }
          // BigInteger so that a 30-digit value is "too large", not a NumberFormatException.
          BigInteger value = new BigInteger(raw);
          if (value.compareTo(BigInteger.valueOf(min)) < 0) {
            throw RejectedValueException.plain();
          }
          if (value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new RejectedValueException("too large");
          }
          return value.longValueExact();
        });
  }

  /** A whole number as an {@code int}; {@code max} must fit an int. */
  static ValueParser<Integer> wholeInt(String unit, int min, int max) {
    return wholeNumber(unit, min, max).map(Long::intValue);
  }

  private static String bounds(long min, long max) {
    boolean unbounded = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
    if (!unbounded) {
      return "from " + min + " to " + max;
    }
    return min == 1 ? "> 0" : ">= " + min;
  }

  /**
   * Seconds greater than zero, decimals allowed ({@code 2.5}): network timeouts are often wanted
   * below one second, and an integer-only rule would force a unit change for that.
   */
  static ValueParser<Duration> positiveSeconds() {
    return new ValueParser<>(
        "a number of seconds > 0 (decimals allowed, e.g. 2.5)",
        raw -> {
          if (!DECIMAL.matcher(raw).matches()) {
            throw RejectedValueException.plain();
          }
          BigInteger nanos =
              new BigDecimal(raw).movePointRight(9).setScale(0, RoundingMode.DOWN).toBigInteger();
          if (nanos.signum() <= 0) {
            throw new RejectedValueException("shorter than a nanosecond");
          }
          if (nanos.bitLength() >= Long.SIZE) {
            throw new RejectedValueException("too large");
          }
          return Duration.ofNanos(nanos.longValueExact());
        });
  }

  /** {@code true/false/1/0/yes/no}, any case. */
  static ValueParser<Boolean> bool() {
    return new ValueParser<>(
        "one of true, false, 1, 0, yes, no (any case)",
        raw -> {
          switch (raw.toLowerCase(Locale.ROOT)) {
            case "true":
            case "1":
            case "yes":
              return true;
            case "false":
            case "0":
            case "no":
              return false;
            default:
              throw RejectedValueException.plain();
          }
        });
  }

  /** One of the constants of {@code type}, any case; listed in lower case if {@code lowerCase}. */
  static <E extends Enum<E>> ValueParser<E> oneOf(Class<E> type, boolean lowerCase) {
    String names =
        Arrays.stream(type.getEnumConstants())
            .map(e -> lowerCase ? e.name().toLowerCase(Locale.ROOT) : e.name())
            .collect(Collectors.joining(", "));
    return new ValueParser<>(
        "one of " + names + " (any case)",
        raw -> {
          for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(raw)) {
              return constant;
            }
          }
          throw RejectedValueException.plain();
        });
  }

  /** A non-empty file system path. Windows forms such as {@code C:\data} are kept verbatim. */
  static ValueParser<Path> path() {
    return new ValueParser<>("a file system path", Parsers::toPath);
  }

  /** Empty means "not set"; otherwise a file system path. */
  static ValueParser<Optional<Path>> optionalPath() {
    return new ValueParser<>(
        "empty or a file system path",
        raw -> raw.isEmpty() ? Optional.empty() : Optional.of(toPath(raw)));
  }

  private static Path toPath(String raw) {
    if (raw.isEmpty()) {
      throw RejectedValueException.plain();
    }
    try {
      return Path.of(raw);
    } catch (InvalidPathException e) {
      throw new RejectedValueException(e.getReason());
    }
  }

  /**
   * A file path for SQLite, or any JDBC URL ({@code jdbc:...}) passed through unchanged, as long as
   * it carries no password (that goes in JOB_DB_PASSWORD, a secret; a URL is shown in logs).
   */
  static ValueParser<DbLocation> dbLocation() {
    return new ValueParser<>(
        "a file path or a JDBC URL (jdbc:...) without a password",
        raw -> {
          if (raw.regionMatches(true, 0, "jdbc:", 0, 5)) {
            if (raw.length() == 5) {
              throw RejectedValueException.plain();
            }
            if (Secrets.hasUrlPassword(raw)) {
              throw new RejectedValueException("the password goes in JOB_DB_PASSWORD, not in the URL");
            }
            return DbLocation.ofUrl(raw);
          }
          return DbLocation.ofPath(toPath(raw));
        });
  }

  /** Empty, or a JNDI name: no blanks, e.g. {@code java:comp/env/jdbc/comfygate} or {@code jdbc/comfygate}. */
  static ValueParser<String> jndiName() {
    return new ValueParser<>(
        "empty or a JNDI name without blanks (java:comp/env/jdbc/comfygate)",
        raw -> {
          if (!raw.isEmpty() && !raw.matches("[\\w.:/\\-]+")) {
            throw RejectedValueException.plain();
          }
          return raw;
        });
  }

  /** Any text, including empty. */
  static ValueParser<String> anyText() {
    return new ValueParser<>("any text", raw -> raw);
  }

  /** A non-empty name of letters, digits, '.', '_' and '-' (template names and the like). */
  static ValueParser<String> name() {
    return new ValueParser<>(
        "a name of letters, digits, '.', '_' or '-'",
        raw -> {
          if (!NAME.matcher(raw).matches()) {
            throw RejectedValueException.plain();
          }
          return raw;
        });
  }

  /** A host name or IP address to listen on, without port. */
  static ValueParser<String> host() {
    return new ValueParser<>(
        "a host name or IP address without port (e.g. 127.0.0.1, 0.0.0.0, ::1)",
        raw -> {
          if (!HOST.matcher(raw).matches()) {
            throw RejectedValueException.plain();
          }
          return raw;
        });
  }

  /**
   * A comma-separated list of host names, suffixes ({@code .example.com}), IP addresses, CIDR blocks
   * and {@code *}; empty = an empty list.
   */
  static ValueParser<List<String>> hostList() {
    return new ValueParser<>(
        "empty or comma-separated host names, .suffixes, IP addresses, CIDR blocks or *"
            + " (e.g. hooks.example.com,.corp.example,10.1.2.0/24)",
        raw -> {
          List<String> hosts = new java.util.ArrayList<>();
          for (String part : raw.split(",")) {
            String host = part.strip();
            if (host.isEmpty()) {
              continue;
            }
            if (!host.equals("*") && !isAddressOrBlock(host)
                && !HOST.matcher(host.startsWith("*.") ? host.substring(2) : host.startsWith(".") ? host.substring(1) : host).matches()) {
              throw RejectedValueException.plain();
            }
            hosts.add(host);
          }
          return List.copyOf(hosts);
        });
  }

  /** An IP address or CIDR block; a malformed one (it looks like an address) is refused. */
  private static boolean isAddressOrBlock(String entry) {
    try {
      if (entry.indexOf('/') < 0 && IpLiteral.parse(entry).isEmpty()) {
        return false;
      }
      AddressRange.parse(entry);
      return true;
    } catch (IllegalArgumentException e) {
      throw new RejectedValueException(e.getMessage());
    }
  }

  /** Empty means "disabled"; otherwise an absolute http(s) URL, returned without trailing slash. */
  static ValueParser<Optional<URI>> optionalHttpUrl() {
    return new ValueParser<>(
        "empty (disabled) or an http:// or https:// URL",
        raw -> {
          if (raw.isEmpty()) {
            return Optional.empty();
          }
          URI uri;
          try {
            uri = new URI(raw);
          } catch (URISyntaxException e) {
            throw new RejectedValueException(e.getReason());
          }
          String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
          if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw RejectedValueException.plain();
          }
          if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new RejectedValueException("no query or fragment");
          }
          return Optional.of(URI.create(stripTrailingSlashes(raw)));
        });
  }

  private static String stripTrailingSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }
}
