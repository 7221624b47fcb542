package io.comfygate.webhooks;

import io.comfygate.internal.net.AddressRange;
import io.comfygate.internal.net.IpLiteral;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code WEBHOOK_ALLOWED_HOSTS} read: host names ({@code hooks.example.com}), suffixes
 * ({@code .example.com} or {@code *.example.com}), IP addresses and CIDR blocks
 * ({@code 10.1.2.0/24}), and {@code *} for "any public host". An empty list means {@code *}.
 * A host the operator <i>names</i> (by name, suffix, address or block) is trusted on any address,
 * private ones included; other hosts are allowed only if the list has {@code *} (or is empty), and
 * then only on public addresses. Immutable.
 */
final class AllowedHosts {
  private final boolean anyPublic;
  private final List<String> names = new ArrayList<>();
  private final List<String> suffixes = new ArrayList<>();
  private final List<AddressRange> ranges = new ArrayList<>();

  private AllowedHosts(List<String> entries) {
    boolean star = false;
    for (String raw : entries) {
      String e = raw.strip().toLowerCase(Locale.ROOT);
      if (e.equals("*")) {
        star = true;
      } else if (e.startsWith("*.") || e.startsWith(".")) {
        suffixes.add(e.substring(e.indexOf('.')));
      } else if (e.indexOf('/') >= 0 || IpLiteral.parse(e).isPresent()) {
        ranges.add(AddressRange.parse(e));
      } else if (!e.isEmpty()) {
        names.add(withoutFinalDot(e));
      }
    }
    this.anyPublic = star || names.isEmpty() && suffixes.isEmpty() && ranges.isEmpty();
  }

  /** @throws IllegalArgumentException if an entry looks like an address but is not one */
  static AllowedHosts of(List<String> entries) {
    return new AllowedHosts(entries);
  }

  /** Whether a host the list does not name is allowed (on a public address). */
  boolean anyPublic() {
    return anyPublic;
  }

  /** Whether the operator named {@code host} (lower case, as in a URL; IPv6 in brackets). */
  boolean names(String host) {
    Optional<InetAddress> literal;
    try {
      literal = IpLiteral.parse(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (literal.isPresent()) {
      return covers(literal.get());
    }
    String h = withoutFinalDot(host);
    return names.contains(h) || suffixes.stream().anyMatch(h::endsWith);
  }

  /** {@code host} without the trailing dot of a fully qualified name ({@code localhost.}). */
  static String withoutFinalDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }

  /** Whether {@code address} is one the operator listed, alone or in a block. */
  boolean covers(InetAddress address) {
    return ranges.stream().anyMatch(r -> r.contains(address));
  }
}
