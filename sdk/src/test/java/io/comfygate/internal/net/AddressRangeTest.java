package io.comfygate.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressRangeTest {

  @Test
  void aBlockHoldsTheAddressesUnderItsPrefixOnly() throws Exception {
    AddressRange block = AddressRange.parse("10.1.2.0/24");
    assertThat(block.contains(InetAddress.getByName("10.1.2.0"))).isTrue();
    assertThat(block.contains(InetAddress.getByName("10.1.2.255"))).isTrue();
    assertThat(block.contains(InetAddress.getByName("10.1.3.0"))).isFalse();
    AddressRange odd = AddressRange.parse("172.16.0.0/12");
    assertThat(odd.contains(InetAddress.getByName("172.31.255.255"))).isTrue();
    assertThat(odd.contains(InetAddress.getByName("172.32.0.0"))).isFalse();
    assertThat(AddressRange.parse("10.1.2.77/24").contains(InetAddress.getByName("10.1.2.1")))
        .as("host bits are ignored").isTrue();
    assertThat(AddressRange.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
  }

  @Test
  void aSingleAddressHoldsOnlyItselfAndFamiliesDoNotMix() throws Exception {
    assertThat(AddressRange.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(AddressRange.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.2"))).isFalse();
    assertThat(AddressRange.parse("::1").contains(InetAddress.getByName("::1"))).isTrue();
    assertThat(AddressRange.parse("[::1]").contains(InetAddress.getByName("::1"))).isTrue();
    assertThat(AddressRange.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(AddressRange.parse("fd00::/8").contains(InetAddress.getByName("fe80::1"))).isFalse();
    assertThat(AddressRange.parse("::/0").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
  }

  @Test
  void malformedBlocksAreRefusedWithTheReason() {
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("0..32");
    assertThatThrownBy(() -> AddressRange.parse("fd00::/129")).hasMessageContaining("0..128");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/x")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> AddressRange.parse("intranet/24")).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> AddressRange.parse("300.0.0.0/8")).hasMessageContaining("not a valid");
  }
}
