package io.comfygate.web.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A session-authenticated socket is only for our own pages (cross-site WebSocket hijacking): same
 * scheme, host and port as the socket.
 */
class SameOriginTest {
  private static final boolean WS = false;
  private static final boolean WSS = true;

  @Test
  void ourOwnPagesAndNonBrowserClientsPass() {
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:8000", WS, "127.0.0.1:8000")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("https://gate.example.org", WSS, "gate.example.org")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("https://gate.example.org", WSS, "gate.example.org:443")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("http://gate.example.org", WS, "gate.example.org:80")).isTrue();
    assertThat(LiveConfigurator.sameOrigin("HTTP://Gate.Example.org", WS, "gate.example.org")).as("case-insensitive").isTrue();
    assertThat(LiveConfigurator.sameOrigin(null, WS, "127.0.0.1:8000")).as("no Origin: not a browser page").isTrue();
  }

  @Test
  void otherSitesPortsAndGarbageAreRefused() {
    assertThat(LiveConfigurator.sameOrigin("https://evil.example", WSS, "gate.example.org")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:9999", WS, "127.0.0.1:8000")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://gate.example.org", WS, "gate.example.org:8443")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("null", WS, "127.0.0.1:8000")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://127.0.0.1:8000", WS, null)).isFalse();
  }

  @Test
  void theSchemeMustMatchTheSockets() {
    assertThat(LiveConfigurator.sameOrigin("http://gate.example.org", WSS, "gate.example.org")).as("http page, wss socket").isFalse();
    assertThat(LiveConfigurator.sameOrigin("https://gate.example.org", WS, "gate.example.org")).as("https page, ws socket").isFalse();
    assertThat(LiveConfigurator.sameOrigin("http://gate.example.org:443", WSS, "gate.example.org:443")).as("same port, other scheme").isFalse();
    assertThat(LiveConfigurator.sameOrigin("ftp://127.0.0.1:8000", WS, "127.0.0.1:8000")).isFalse();
    assertThat(LiveConfigurator.sameOrigin("chrome-extension://abc", WS, "127.0.0.1:8000")).isFalse();
  }
}
