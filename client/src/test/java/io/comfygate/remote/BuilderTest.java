package io.comfygate.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.remote.errors.UnavailableException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Values are checked where they are given, naming the field; no call is needed to find a bad one. */
class BuilderTest {
  @Test
  void theBuilderRefusesBadValuesAndMissingOnes() {
    assertThatThrownBy(() -> ComfyGateClient.builder().baseUrl("ftp://host/")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> ComfyGateClient.builder().baseUrl("http://u:p@host/")).hasMessageContaining("credentials");
    assertThatThrownBy(() -> ComfyGateClient.builder().apiKey("has space")).hasMessageContaining("apiKey");
    assertThatThrownBy(() -> ComfyGateClient.builder().basicAuth("a:b", "x")).hasMessageContaining("user");
    assertThatThrownBy(() -> ComfyGateClient.builder().readTimeout(Duration.ZERO)).hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> ComfyGateClient.builder().baseUrl("http://h/").build()).hasMessageContaining("credentials");
    assertThatThrownBy(() -> ComfyGateClient.builder().apiKey("k").build()).hasMessageContaining("baseUrl");
  }

  @Test
  void theBaseUrlGetsItsTrailingSlash() {
    try (ComfyGateClient c = ComfyGateClient.builder().baseUrl("http://127.0.0.1:1/comfygate").apiKey("k").build()) {
      assertThat(c.baseUrl()).hasToString("http://127.0.0.1:1/comfygate/");
    }
  }

  @Test
  void retryPoliciesAndRequestsCheckTheirValues() {
    assertThatThrownBy(() -> RetryPolicy.defaults().withMaxAttempts(0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> RetryPolicy.defaults().withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("maxBackoff");
    RetryPolicy p = RetryPolicy.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    assertThat(p.backoff(1, 0.999)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(p.backoff(3, 0.999)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(p.backoff(30, 0.999)).isLessThanOrEqualTo(Duration.ofMillis(1000));
    assertThatThrownBy(() -> JobRequest.builder().idempotencyKey("é")).hasMessageContaining("idempotencyKey");
    assertThatThrownBy(() -> JobRequest.builder().idempotencyKey("x".repeat(256))).hasMessageContaining("idempotencyKey");
    assertThat(JobRequest.prompt("a").idempotencyKey()).isNotEqualTo(JobRequest.prompt("a").idempotencyKey());
    JobRequest keyed = JobRequest.builder().param("prompt", "a").idempotencyKey("k-1").build();
    assertThat(keyed.toBuilder().build().idempotencyKey()).isEqualTo("k-1");
  }

  @Test
  void noServerIsUnavailableAfterTheRetriesTheBudgetAllows() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    RetryPolicy quick = RetryPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(10), Duration.ofMillis(20));
    try (ComfyGateClient c = ComfyGateClient.builder().baseUrl("http://127.0.0.1:" + closed + "/").apiKey("k")
        .retryPolicy(quick).build()) {
      assertThatThrownBy(() -> c.submit(JobRequest.prompt("x"))).isInstanceOf(UnavailableException.class)
          .hasMessageContaining("cannot reach");
    }
  }
}
