package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookUrlPolicyTest {

  @Test
  void anyHttpOrHttpsUrlWithAHostIsAcceptedByDefault() {
    WebhookUrlPolicy any = WebhookUrlPolicy.anyHost();
    assertThat(any.check("https://hooks.example.com/comfy?x=1").getHost()).isEqualTo("hooks.example.com");
    assertThat(any.check("http://127.0.0.1:9000/hook").getPort()).isEqualTo(9000);
  }

  @Test
  void otherSchemesMissingHostsCredentialsAndGarbageAreRefusedWithTheReason() {
    WebhookUrlPolicy any = WebhookUrlPolicy.anyHost();
    assertThatThrownBy(() -> any.check("ftp://example.com/x")).hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> any.check("file:///etc/passwd")).hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> any.check("https:///nohost")).hasMessageContaining("host");
    assertThatThrownBy(() -> any.check("https://u:p@example.com/")).hasMessageContaining("credentials");
    assertThatThrownBy(() -> any.check("http://exa mple.com/")).hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> any.check("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> any.check("https://e.com/" + "a".repeat(2000))).hasMessageContaining("2000");
  }

  @Test
  void anAllowListTakesExactHostsAndSuffixes() {
    WebhookUrlPolicy policy = WebhookUrlPolicy.allowing(List.of("hooks.example.com", ".corp.example", "*.ops.test"));
    assertThat(policy.check("https://HOOKS.example.com/a")).isNotNull();
    assertThat(policy.check("https://build.corp.example/a")).isNotNull();
    assertThat(policy.check("https://a.ops.test/a")).isNotNull();
    assertThatThrownBy(() -> policy.check("https://evil.example.com/a")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> policy.check("https://notcorp.example/a")).hasMessageContaining("not allowed");
  }
}
