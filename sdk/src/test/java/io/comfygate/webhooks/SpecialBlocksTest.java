package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every block of IANA's special-purpose address registries, from a table written from the
 * registries (special-purpose-addresses.csv), is refused for webhook receivers: an address inside
 * it when a URL is set (written as an IP) and when a name resolves to it before a delivery (the
 * DNS-rebinding case), while the address just outside it is public or refused by the neighbouring
 * block the table names; and the operator can still allow the block.
 */
class SpecialBlocksTest {
  private static final ReceiverAddresses NO_OWN = new ReceiverAddresses(new OwnAddresses(Set::of, () -> 0, Duration.ofMinutes(1)));

  /** One row of the table. */
  record Row(String registry, String block, String name, String inside, String outside, String outsideIs) {
    @Override
    public String toString() {
      return block + " " + name;
    }
  }

  static List<Row> rows() throws IOException {
    try (InputStream in = SpecialBlocksTest.class.getResourceAsStream("special-purpose-addresses.csv")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> Arrays.stream(l.split("\\|")).map(String::strip).toArray(String[]::new))
          .map(f -> new Row(f[0], f[1], f[2], f[3], f[4], f[5]))
          .toList();
    }
  }

  @Test
  void theTableCoversBothRegistries() throws IOException {
    assertThat(rows()).extracting(Row::registry).containsOnly("ipv4", "ipv6");
    assertThat(rows().stream().filter(r -> r.registry().equals("ipv4"))).hasSize(19);
    assertThat(rows().stream().filter(r -> r.registry().equals("ipv6"))).hasSize(22);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void anAddressInsideIsInTheBlockAndTheOneJustOutsideIsNot(Row row) throws Exception {
    SpecialBlocks.Block found = SpecialBlocks.of(address(row.inside())).orElseThrow(
        () -> new AssertionError(row.inside() + " should be refused as in " + row.block()));
    assertThat(found.block()).as(row.inside()).isEqualTo(row.block());
    assertThat(found.name()).startsWith(row.name().replaceAll("\\.$", ""));

    if (row.outsideIs().equals("public")) {
      assertThat(SpecialBlocks.of(address(row.outside()))).as(row.outside()).isEmpty();
    } else {
      assertThat(SpecialBlocks.of(address(row.outside()))).as(row.outside())
          .hasValueSatisfying(b -> assertThat(b.block()).isEqualTo(row.outsideIs()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void aUrlWrittenWithTheAddressIsRefusedWhenItIsSet(Row row) {
    WebhookUrlPolicy policy = new WebhookUrlPolicy(AllowedHosts.of(List.of()), NO_OWN);
    assertThatThrownBy(() -> policy.check(url(row.inside())))
        .hasMessageStartingWith("points to a non-public address (")
        .hasMessageEndingWith("allow it with WEBHOOK_ALLOWED_HOSTS");
    if (row.outsideIs().equals("public")) {
      assertThat(policy.check(url(row.outside()))).isNotNull();
    } else {
      assertThatThrownBy(() -> policy.check(url(row.outside()))).hasMessageContaining("non-public");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void aNameThatResolvesIntoTheBlockIsRefusedBeforeDelivery(Row row) throws Exception {
    InetAddress inside = address(row.inside());
    ReceiverGuard.Refusal refusal = check(List.of(), inside);
    assertThat(refusal).as(row.inside()).isNotNull();
    assertThat(refusal.permanent()).isTrue();
    assertThat(refusal.reason()).startsWith("rebound.example.com resolves to " + inside.getHostAddress() + ", ")
        .contains("(" + row.block() + ", ").endsWith(": not sent; allow it with WEBHOOK_ALLOWED_HOSTS");
    ReceiverGuard.Refusal outside = check(List.of(), address(row.outside()));
    if (row.outsideIs().equals("public")) {
      assertThat(outside).as(row.outside()).isNull();
    } else {
      assertThat(outside.reason()).contains("(" + row.outsideIs() + ", ");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theOperatorCanAllowTheBlock(Row row) throws Exception {
    String allowed = row.block().startsWith("not") ? "4000::/2" : row.block();
    assertThat(check(List.of("*", allowed), address(row.inside()))).isNull();
  }

  @Test
  void publicAddressesAreCalled() throws Exception {
    for (String literal : List.of("1.1.1.1", "8.8.8.8", "93.184.216.34", "223.255.255.255", "2606:4700::1111",
        "2001:4860:4860::8888", "2a00:1450:4001::1")) {
      assertThat(SpecialBlocks.of(address(literal))).as(literal).isEmpty();
      assertThat(check(List.of(), address(literal))).as(literal).isNull();
    }
  }

  private static ReceiverGuard.Refusal check(List<String> allowed, InetAddress answer) throws InterruptedException {
    try (ReceiverGuard guard = new ReceiverGuard(AllowedHosts.of(allowed), NO_OWN, host -> lookUp(host, answer),
        Duration.ofSeconds(5), 1)) {
      return guard.check(URI.create("https://rebound.example.com/hook"));
    }
  }

  private static InetAddress[] lookUp(String host, InetAddress answer) throws UnknownHostException {
    if (!host.equals("rebound.example.com")) {
      throw new UnknownHostException(host);
    }
    return new InetAddress[] {answer};
  }

  /** The address as written; an IPv6 form Java would shorten to IPv4 (::ffff:a.b.c.d) keeps its 16 bytes. */
  static InetAddress address(String literal) throws UnknownHostException {
    if (!literal.contains(":")) {
      return InetAddress.getByName(literal);
    }
    InetAddress parsed = InetAddress.getByName("[" + literal + "]");
    if (parsed instanceof Inet4Address) {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
      return Inet6Address.getByAddress(null, mapped, -1);
    }
    return parsed;
  }

  private static String url(String literal) {
    return "http://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":8080/hook";
  }
}
