package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressKindTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      // IPv4, each block at its edges
      "0.0.0.0, UNSPECIFIED", "0.255.255.255, UNSPECIFIED",
      "127.0.0.1, LOOPBACK", "127.255.255.254, LOOPBACK",
      "10.0.0.0, PRIVATE", "10.255.255.255, PRIVATE",
      "172.16.0.0, PRIVATE", "172.31.255.255, PRIVATE", "172.15.255.255, PUBLIC", "172.32.0.0, PUBLIC",
      "192.168.0.1, PRIVATE", "192.168.255.255, PRIVATE", "192.169.0.1, PUBLIC", "192.167.255.255, PUBLIC",
      "169.254.169.254, LINK_LOCAL", "169.254.0.0, LINK_LOCAL", "169.253.255.255, PUBLIC", "169.255.0.0, PUBLIC",
      "100.64.0.0, SHARED", "100.127.255.255, SHARED", "100.63.255.255, PUBLIC", "100.128.0.0, PUBLIC",
      "224.0.0.1, MULTICAST", "239.255.255.255, MULTICAST",
      "240.0.0.1, RESERVED", "255.255.255.255, RESERVED",
      "1.1.1.1, PUBLIC", "8.8.8.8, PUBLIC", "93.184.216.34, PUBLIC", "223.255.255.255, PUBLIC",
      // IPv6
      "::, UNSPECIFIED", "::1, LOOPBACK",
      "fe80::1, LINK_LOCAL", "febf:ffff::1, LINK_LOCAL", "fec0::1, PRIVATE",
      "fc00::1, UNIQUE_LOCAL", "fd12:3456::1, UNIQUE_LOCAL", "fe00::1, PUBLIC",
      "ff02::1, MULTICAST", "ff0e::1, MULTICAST",
      "2001:4860:4860::8888, PUBLIC", "2606:4700::1111, PUBLIC",
      // IPv6 forms carrying an IPv4 address
      "::ffff:127.0.0.1, LOOPBACK", "::ffff:10.1.2.3, PRIVATE", "::ffff:169.254.169.254, LINK_LOCAL",
      "::ffff:7f00:1, LOOPBACK", "::ffff:0.0.0.0, UNSPECIFIED", "::ffff:8.8.8.8, PUBLIC",
      "::127.0.0.1, LOOPBACK", "::10.0.0.1, PRIVATE", "::8.8.8.8, PUBLIC",
      "64:ff9b::127.0.0.1, LOOPBACK", "64:ff9b::a9fe:a9fe, LINK_LOCAL", "64:ff9b::8.8.8.8, PUBLIC",
  })
  void everyBlockIsRecognised(String literal, AddressKind kind) throws Exception {
    assertThat(AddressKind.of(InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal)))
        .isEqualTo(kind);
  }

  @ParameterizedTest(name = "{0} built from 16 bytes is {1}")
  @CsvSource({"127.0.0.1, LOOPBACK", "10.9.8.7, PRIVATE", "100.64.1.1, SHARED", "8.8.4.4, PUBLIC"})
  void aMappedAddressHeldAsSixteenBytesIsJudgedByItsIpv4Part(String ipv4, AddressKind kind) throws Exception {
    byte[] v4 = InetAddress.getByName(ipv4).getAddress();
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(v4, 0, mapped, 12, 4);
    // Java itself turns this into an Inet4Address; an Inet6Address with a scope keeps all 16 bytes.
    assertThat(AddressKind.of(java.net.Inet6Address.getByAddress(null, mapped, -1))).isEqualTo(kind);
    assertThat(AddressKind.of(InetAddress.getByAddress(mapped))).isEqualTo(kind);
  }
}
