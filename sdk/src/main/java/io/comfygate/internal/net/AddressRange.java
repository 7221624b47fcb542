package io.comfygate.internal.net;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Internal, not API. An address block written in CIDR form ({@code 10.1.2.0/24}, {@code fd00::/8})
 * or a single address ({@code 10.1.2.3}, {@code ::1}). Immutable.
 */
public final class AddressRange {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private AddressRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Reads {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static AddressRange parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    byte[] bytes = IpLiteral.parse(address)
        .orElseThrow(() -> new IllegalArgumentException(text + " is not an IP address or CIDR block"))
        .getAddress();
    if (bytes.length == 4 && address.indexOf(':') >= 0) {
      bytes = mapped(bytes); // Java reads ::ffff:a.b.c.d as IPv4; the block is written as IPv6
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException(text + ": the prefix length must be 0.." + bits);
      }
      prefix = Integer.parseInt(p);
    }
    return new AddressRange(masked(bytes, prefix), prefix, t);
  }

  /** Whether {@code address} is in this block (IPv4 and IPv6 blocks never hold each other's addresses). */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == network.length && Arrays.equals(masked(bytes, prefix), network);
  }

  private static byte[] mapped(byte[] ipv4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xff;
    out[11] = (byte) 0xff;
    System.arraycopy(ipv4, 0, out, 12, 4);
    return out;
  }

  private static byte[] masked(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff00 >> keep));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
