package io.comfygate.webhooks;

import io.comfygate.internal.net.AddressRange;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The address blocks a webhook receiver may not be on unless the operator allows it: every entry of
 * IANA's IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates, whether or not
 * the registry calls the block globally reachable: no real receiver lives in them), multicast and
 * broadcast, the deprecated site-local and IPv4-compatible IPv6 blocks, and every IPv6 form that
 * carries an IPv4 address (mapped, translated, compatible, NAT64, 6to4, Teredo: such a form can
 * reach an internal IPv4 host through a gateway, so the block is refused whole). IPv6 outside
 * {@code 2000::/3}, the only block allocated for global unicast, is refused as well. The first
 * matching entry names the refusal, so narrower blocks come before the blocks that hold them.
 * Immutable.
 */
final class SpecialBlocks {
  /**
   * One block: how it is written, its range, its registry name, and the kind of address it makes.
   */
  record Block(String block, AddressRange range, String name, AddressKind kind) {
    /** "198.18.0.0/15, Benchmarking". */
    String describe() {
      return block + ", " + name;
    }
  }

  private static final List<Block> BLOCKS = List.of(
      // IPv4 Special-Purpose Address Registry
      block("0.0.0.0/8", "\"This network\"", AddressKind.UNSPECIFIED),
      block("10.0.0.0/8", "Private-Use", AddressKind.PRIVATE),
      block("100.64.0.0/10", "Shared Address Space", AddressKind.SHARED),
      block("127.0.0.0/8", "Loopback", AddressKind.LOOPBACK),
      block("169.254.0.0/16", "Link Local", AddressKind.LINK_LOCAL),
      block("172.16.0.0/12", "Private-Use", AddressKind.PRIVATE),
      block("192.0.0.0/24", "IETF Protocol Assignments", AddressKind.RESERVED),
      block("192.0.2.0/24", "Documentation (TEST-NET-1)", AddressKind.DOCUMENTATION),
      block("192.31.196.0/24", "AS112-v4", AddressKind.RESERVED),
      block("192.52.193.0/24", "AMT", AddressKind.RESERVED),
      block("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", AddressKind.RESERVED),
      block("192.168.0.0/16", "Private-Use", AddressKind.PRIVATE),
      block("192.175.48.0/24", "Direct Delegation AS112 Service", AddressKind.RESERVED),
      block("198.18.0.0/15", "Benchmarking", AddressKind.RESERVED),
      block("198.51.100.0/24", "Documentation (TEST-NET-2)", AddressKind.DOCUMENTATION),
      block("203.0.113.0/24", "Documentation (TEST-NET-3)", AddressKind.DOCUMENTATION),
      block("255.255.255.255/32", "Limited Broadcast", AddressKind.BROADCAST),
      block("240.0.0.0/4", "Reserved", AddressKind.RESERVED),
      block("224.0.0.0/4", "Multicast", AddressKind.MULTICAST),
      // IPv6 Special-Purpose Address Registry (narrower blocks first)
      block("::1/128", "Loopback Address", AddressKind.LOOPBACK),
      block("::/128", "Unspecified Address", AddressKind.UNSPECIFIED),
      block("::ffff:0:0/96", "IPv4-mapped Address", AddressKind.EMBEDDED_IPV4),
      block("::ffff:0:0:0/96", "IPv4-translated Address (SIIT)", AddressKind.EMBEDDED_IPV4),
      block("::/96", "IPv4-compatible Address (deprecated)", AddressKind.EMBEDDED_IPV4),
      block("64:ff9b::/96", "IPv4-IPv6 Translation (NAT64)", AddressKind.EMBEDDED_IPV4),
      block("64:ff9b:1::/48", "IPv4-IPv6 Translation, local use (NAT64)", AddressKind.EMBEDDED_IPV4),
      block("100::/64", "Discard-Only Address Block", AddressKind.RESERVED),
      block("100:0:0:1::/64", "Dummy IPv6 Prefix", AddressKind.RESERVED),
      block("2001::/32", "TEREDO", AddressKind.EMBEDDED_IPV4),
      block("2001:2::/48", "Benchmarking", AddressKind.RESERVED),
      block("2001::/23", "IETF Protocol Assignments", AddressKind.RESERVED),
      block("2001:db8::/32", "Documentation", AddressKind.DOCUMENTATION),
      block("2002::/16", "6to4", AddressKind.EMBEDDED_IPV4),
      block("2620:4f:8000::/48", "Direct Delegation AS112 Service", AddressKind.RESERVED),
      block("3fff::/20", "Documentation", AddressKind.DOCUMENTATION),
      block("5f00::/16", "Segment Routing (SRv6) SIDs", AddressKind.RESERVED),
      block("fc00::/7", "Unique-Local", AddressKind.UNIQUE_LOCAL),
      block("fe80::/10", "Link-Local Unicast", AddressKind.LINK_LOCAL),
      block("fec0::/10", "Site-Local (deprecated)", AddressKind.PRIVATE),
      block("ff00::/8", "Multicast", AddressKind.MULTICAST));

  private static final AddressRange GLOBAL_UNICAST_V6 = AddressRange.parse("2000::/3");
  private static final Block OUTSIDE_GLOBAL_UNICAST =
      new Block("not in 2000::/3", AddressRange.parse("::/0"), "not Global Unicast", AddressKind.RESERVED);

  private SpecialBlocks() {}

  /** The special block {@code address} is in, or empty if it is an ordinary public address. */
  static Optional<Block> of(InetAddress address) {
    for (Block b : BLOCKS) {
      if (b.range().contains(address)) {
        return Optional.of(b);
      }
    }
    if (address.getAddress().length == 16 && !GLOBAL_UNICAST_V6.contains(address)) {
      return Optional.of(OUTSIDE_GLOBAL_UNICAST);
    }
    return Optional.empty();
  }

  private static Block block(String cidr, String name, AddressKind kind) {
    return new Block(cidr, AddressRange.parse(cidr), name, kind);
  }
}
