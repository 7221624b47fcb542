package io.comfygate.web.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Who may scrape without a user identity: METRICS_PUBLIC opens it, METRICS_TOKEN lets the scraper in. */
class MetricsAccessTest {

  @Test
  void theTokenLetsInOnlyAsABearerTokenAndOnlyWhenOneIsSet() {
    MetricsAccess withToken = new MetricsAccess(false, "s3cret");
    assertThat(withToken.letsIn("Bearer s3cret")).isTrue();
    assertThat(withToken.letsIn("bearer  s3cret ")).as("scheme is case-insensitive, spaces ignored").isTrue();
    assertThat(withToken.letsIn("Bearer s3cre")).isFalse();
    assertThat(withToken.letsIn("Basic s3cret")).isFalse();
    assertThat(withToken.letsIn(null)).isFalse();

    MetricsAccess adminsOnly = new MetricsAccess(false, "");
    assertThat(adminsOnly.letsIn("Bearer ")).as("an empty token is no token").isFalse();
    assertThat(adminsOnly.letsIn(null)).isFalse();
  }

  @Test
  void publicMetricsLetEveryoneIn() {
    assertThat(new MetricsAccess(true, "").letsIn(null)).isTrue();
    assertThat(new MetricsAccess(true, "s3cret").letsIn("Bearer wrong")).isTrue();
  }
}
