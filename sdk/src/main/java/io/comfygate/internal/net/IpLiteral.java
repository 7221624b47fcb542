package io.comfygate.internal.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Internal, not API. Reads a host that is written as an IP address, never asking DNS: IPv6 in
 * brackets or bare ({@code [::1]}, {@code fd00::1}), IPv4 in the forms Java itself connects to
 * ({@code 10.0.0.1}, and the shorter {@code 127.1} or {@code 2130706433}; no leading zeros). A host of
 * digits and dots only that is none of these is refused rather than looked up, since no real name
 * looks like that.
 */
public final class IpLiteral {
  private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
  private static final Pattern IPV4_FORM = Pattern.compile("(0|[1-9][0-9]{0,9})(\\.(0|[1-9][0-9]{0,9})){0,3}");
  private static final Pattern IPV6_FORM = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z._-]+)?");

  private IpLiteral() {}

  /**
   * The address {@code host} is written as, or empty if it is a name.
   *
   * @throws IllegalArgumentException if it looks like an address but is not a valid one
   */
  public static Optional<InetAddress> parse(String host) {
    String h = host.strip();
    boolean bracketed = h.startsWith("[") && h.endsWith("]");
    String inner = bracketed ? h.substring(1, h.length() - 1) : h;
    if (bracketed || inner.indexOf(':') >= 0) {
      if (!IPV6_FORM.matcher(inner).matches()) {
        throw new IllegalArgumentException(host + " is not a valid IPv6 address");
      }
      return Optional.of(byJava("[" + inner + "]", host)); // brackets: Java never asks DNS
    }
    if (!DIGITS_AND_DOTS.matcher(inner).matches()) {
      return Optional.empty();
    }
    return Optional.of(ipv4(inner, host));
  }

  /** {@code a.b.c.d}, or fewer parts whose last fills the remaining bytes ({@code 127.1}), as Java reads them. */
  private static InetAddress ipv4(String text, String host) {
    if (!IPV4_FORM.matcher(text).matches()) {
      throw new IllegalArgumentException(host + " is not a valid IPv4 address");
    }
    String[] parts = text.split("\\.");
    byte[] bytes = new byte[4];
    for (int i = 0; i < parts.length; i++) {
      long value = Long.parseLong(parts[i]);
      int width = i < parts.length - 1 ? 1 : 4 - i; // bytes this part fills
      if (value >= 1L << (8 * width)) {
        throw new IllegalArgumentException(host + " is not a valid IPv4 address");
      }
      for (int k = 0; k < width; k++) {
        bytes[i + k] = (byte) (value >> (8 * (width - 1 - k)));
      }
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  private static InetAddress byJava(String literal, String host) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(host + " is not a valid IP address");
    }
  }
}
