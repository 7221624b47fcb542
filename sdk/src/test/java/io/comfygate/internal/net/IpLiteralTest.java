package io.comfygate.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpLiteralTest {

  @Test
  void addressesAreReadAsJavaWouldConnectToThem() {
    assertThat(IpLiteral.parse("10.0.0.1").orElseThrow().getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(IpLiteral.parse("127.1").orElseThrow().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(IpLiteral.parse("10.1.258").orElseThrow().getHostAddress()).isEqualTo("10.1.1.2");
    assertThat(IpLiteral.parse("2130706433").orElseThrow().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(IpLiteral.parse("[::1]").orElseThrow().isLoopbackAddress()).isTrue();
    assertThat(IpLiteral.parse("fd00::1").orElseThrow().getAddress()).hasSize(16);
    assertThat(IpLiteral.parse("[::ffff:127.0.0.1]").orElseThrow().getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void namesAreNotAddresses() {
    assertThat(IpLiteral.parse("hooks.example.com")).isEmpty();
    assertThat(IpLiteral.parse("localhost")).isEmpty();
    assertThat(IpLiteral.parse("1e100.net")).isEmpty();
  }

  @Test
  void whatLooksLikeAnAddressButIsNotOneIsRefusedNotLookedUp() {
    assertThatThrownBy(() -> IpLiteral.parse("999.1.1.1")).hasMessageContaining("not a valid");
    assertThatThrownBy(() -> IpLiteral.parse("010.0.0.1")).hasMessageContaining("not a valid IPv4");
    assertThatThrownBy(() -> IpLiteral.parse("1.2.65536")).hasMessageContaining("not a valid IPv4");
    assertThatThrownBy(() -> IpLiteral.parse("1.2.3.4.5")).hasMessageContaining("not a valid IPv4");
    assertThatThrownBy(() -> IpLiteral.parse("127.0.0.1.")).hasMessageContaining("not a valid IPv4");
    assertThatThrownBy(() -> IpLiteral.parse("[fe80::zz]")).hasMessageContaining("not a valid IPv6");
    assertThatThrownBy(() -> IpLiteral.parse("[1::2::3]")).hasMessageContaining("not a valid");
  }
}
