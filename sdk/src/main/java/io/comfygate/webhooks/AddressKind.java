package io.comfygate.webhooks;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * What kind of address a webhook receiver is on. Only {@link #PUBLIC} ones are called unless the
 * operator allows a host with {@code WEBHOOK_ALLOWED_HOSTS}: the others reach the server itself,
 * its private network or the cloud's metadata service (server-side request forgery). IPv6 forms
 * that carry an IPv4 address (mapped {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64
 * {@code 64:ff9b::a.b.c.d}) are judged by that IPv4 address.
 */
enum AddressKind {
  PUBLIC("a public address"),
  LOOPBACK("a loopback address"),
  PRIVATE("a private-network address"),
  LINK_LOCAL("a link-local address"),
  UNIQUE_LOCAL("a unique-local IPv6 address"),
  SHARED("a carrier-grade NAT address"),
  UNSPECIFIED("an unspecified address"),
  MULTICAST("a multicast address"),
  RESERVED("a reserved address");

  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
  private static final byte[] COMPATIBLE_PREFIX = new byte[12];
  private static final byte[] NAT64_PREFIX = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

  private final String label;

  AddressKind(String label) {
    this.label = label;
  }

  /** For messages: "a loopback address". */
  String label() {
    return label;
  }

  static AddressKind of(InetAddress address) {
    byte[] b = address.getAddress();
    return b.length == 4 ? ipv4(b) : ipv6(b);
  }

  private static AddressKind ipv4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    if (a0 == 0) {
      return UNSPECIFIED; // 0.0.0.0/8, "this network"; 0.0.0.0 itself reaches the server
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return PRIVATE;
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL; // cloud metadata lives at 169.254.169.254
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return SHARED; // 100.64.0.0/10
    }
    if (a0 >= 224 && a0 <= 239) {
      return MULTICAST;
    }
    if (a0 >= 240) {
      return RESERVED; // 240.0.0.0/4, including 255.255.255.255
    }
    return PUBLIC;
  }

  private static AddressKind ipv6(byte[] b) {
    byte[] head = Arrays.copyOf(b, 12);
    byte[] tail = Arrays.copyOfRange(b, 12, 16);
    if (Arrays.equals(head, COMPATIBLE_PREFIX)) {
      int last = tail[3] & 0xff;
      boolean zeroFirst3 = tail[0] == 0 && tail[1] == 0 && tail[2] == 0;
      if (zeroFirst3 && last <= 1) {
        return last == 0 ? UNSPECIFIED : LOOPBACK; // :: and ::1
      }
      return ipv4(tail);
    }
    if (Arrays.equals(head, MAPPED_PREFIX) || Arrays.equals(head, NAT64_PREFIX)) {
      return ipv4(tail);
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0xff) {
      return MULTICAST;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return LINK_LOCAL; // fe80::/10
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
      return PRIVATE; // fec0::/10, the deprecated site-local block
    }
    if ((b0 & 0xfe) == 0xfc) {
      return UNIQUE_LOCAL; // fc00::/7
    }
    return PUBLIC;
  }
}
