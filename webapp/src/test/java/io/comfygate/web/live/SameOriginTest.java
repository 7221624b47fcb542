package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A session-authenticated socket is only for our own pages (cross-site WebSocket hijacking). */
class SameOriginTest {
  @Test
  void ourOwnPagesAndNonBrowserClientsPass() {
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:8000", "127.0.0.1:8000")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("https://gate.example.org", "gate.example.org")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("https://gate.example.org", "gate.example.org:443")).isTrue();
    assertThat(LiveConfigurator.sameOrigin(null, "127.0.0.1:8000")).as("no Origin: not a browser page").isTrue();
  }

  @Test
  void otherSitesPortsAndGarbageAreRefused() {
    assertThat(LiveConfigurator.sameOrigin("https://evil.example", "gate.example.org")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:9999", "127.0.0.1:8000")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://gate.example.org", "gate.example.org:8443")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("null", "127.0.0.1:8000")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:8000", null)).isFalse();
  }
}
