package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlPolicyTest {

  @Test
  void anyHttpOrHttpsUrlWithAPublicHostIsAcceptedByDefault() {
    WebhookUrlPolicy policy = WebhookUrlPolicy.publicHosts();
    assertThat(policy.check("https://hooks.example.com/comfy?x=1").getHost()).isEqualTo("hooks.example.com");
    assertThat(policy.check("http://93.184.216.34:9000/hook").getPort()).isEqualTo(9000);
    assertThat(policy.check("https://[2606:4700::1111]/hook").getHost()).isEqualTo("[2606:4700::1111]");
    assertThat(policy.check("https://internal.corp/hook")).as("names are judged at delivery").isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://2130706433/", "http://10.0.0.5/",
      "http://172.20.1.1/", "http://192.168.1.10/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/",
      "http://0.0.0.0:8188/", "http://224.0.0.1/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/",
      "http://[fd00::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
      "http://localhost:8188/", "http://LOCALHOST/", "http://localhost./", "http://comfy.localhost/"})
  void receiversOnNonPublicAddressesAreRefusedByDefault(String url) {
    assertThatThrownBy(() -> WebhookUrlPolicy.publicHosts().check(url))
        .hasMessageStartingWith("points to a non-public address (")
        .hasMessageEndingWith("; allow it with WEBHOOK_ALLOWED_HOSTS");
  }

  @Test
  void theRefusalSaysWhatKindOfAddressItIs() {
    assertThatThrownBy(() -> WebhookUrlPolicy.publicHosts().check("http://169.254.169.254/"))
        .hasMessageContaining("169.254.169.254 is a link-local address (169.254.0.0/16, Link Local)");
    assertThatThrownBy(() -> WebhookUrlPolicy.publicHosts().check("http://[::ffff:10.0.0.1]/"))
        .hasMessageContaining("a private-network address (10.0.0.0/8, Private-Use)");
    assertThatThrownBy(() -> WebhookUrlPolicy.publicHosts().check("http://198.18.0.1/"))
        .hasMessageContaining("198.18.0.1 is a reserved address (198.18.0.0/15, Benchmarking)");
    assertThatThrownBy(() -> WebhookUrlPolicy.publicHosts().check("http://[2002:a00:1::1]/"))
        .hasMessageContaining("an IPv6 form of an IPv4 address (2002::/16, 6to4)");
  }

  @Test
  void anIpOfThisServersOwnInterfacesIsRefusedWhenTheUrlIsSet() throws Exception {
    java.net.InetAddress own = java.net.InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 34});
    WebhookUrlPolicy policy = new WebhookUrlPolicy(AllowedHosts.of(List.of()), new ReceiverAddresses(
        new OwnAddresses(() -> java.util.Set.of(own), () -> 0, java.time.Duration.ofMinutes(1))));
    assertThatThrownBy(() -> policy.check("https://93.184.216.34/hook"))
        .hasMessage("points to a non-public address (93.184.216.34 is an address of this server (one of its network"
            + " interfaces)); allow it with WEBHOOK_ALLOWED_HOSTS");
    assertThat(policy.check("https://93.184.216.35/hook")).isNotNull();
  }

  @Test
  void otherSchemesMissingHostsCredentialsAndGarbageAreRefusedWithTheReason() {
    WebhookUrlPolicy any = WebhookUrlPolicy.publicHosts();
    assertThatThrownBy(() -> any.check("ftp://example.com/x")).hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> any.check("file:///etc/passwd")).hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> any.check("https:///nohost")).hasMessageContaining("host");
    assertThatThrownBy(() -> any.check("https://u:p@example.com/")).hasMessageContaining("credentials");
    assertThatThrownBy(() -> any.check("http://exa mple.com/")).hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> any.check("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> any.check("https://e.com/" + "a".repeat(2000))).hasMessageContaining("2000");
  }

  @Test
  void anAllowListWithoutStarTakesExactHostsSuffixesAddressesAndBlocksOnly() {
    WebhookUrlPolicy policy = WebhookUrlPolicy.allowing(List.of("hooks.example.com", ".corp.example", "*.ops.test",
        "10.1.2.0/24", "127.0.0.1"));
    assertThat(policy.check("https://HOOKS.example.com/a")).isNotNull();
    assertThat(policy.check("https://build.corp.example/a")).isNotNull();
    assertThat(policy.check("https://a.ops.test/a")).isNotNull();
    assertThat(policy.check("http://10.1.2.77/a")).as("private, but in a listed block").isNotNull();
    assertThat(policy.check("http://127.0.0.1:9000/a")).as("loopback, but listed").isNotNull();
    assertThatThrownBy(() -> policy.check("https://evil.example.com/a")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> policy.check("https://notcorp.example/a")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> policy.check("http://10.1.3.1/a")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> policy.check("https://8.8.8.8/a")).hasMessageContaining("not allowed");
  }

  @Test
  void aStarAddsEveryPublicHostToTheListedInternalOnes() {
    WebhookUrlPolicy policy = WebhookUrlPolicy.allowing(List.of("*", "127.0.0.1", "hooks.internal"));
    assertThat(policy.check("https://hooks.example.com/a")).isNotNull();
    assertThat(policy.check("http://127.0.0.1:9000/a")).isNotNull();
    assertThat(policy.check("http://hooks.internal/a")).isNotNull();
    assertThatThrownBy(() -> policy.check("http://127.0.0.2/a")).hasMessageContaining("loopback");
    assertThatThrownBy(() -> policy.check("http://localhost/a")).hasMessageContaining("WEBHOOK_ALLOWED_HOSTS");
  }

  @Test
  void aMalformedAddressInTheListIsRefused() {
    assertThatThrownBy(() -> WebhookUrlPolicy.allowing(List.of("10.0.0.0/40"))).hasMessageContaining("0..32");
  }
}
