package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PerUserRateLimitTest {
  private final FakeClock clock = FakeClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  private final PerUserRateLimit limit = new PerUserRateLimit(2, Duration.ofMinutes(1), clock);

  @Test
  void theWindowSlidesCallByCall() {
    assertThat(limit.tryAcquire("a")).isEmpty();
    clock.advance(Duration.ofSeconds(20));
    assertThat(limit.tryAcquire("a")).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    assertThat(limit.tryAcquire("a")).hasValue(Duration.ofSeconds(30)); // the first call leaves at 60 s
    assertThat(limit.tryAcquire("b")).isEmpty();
    clock.advance(Duration.ofSeconds(30));
    assertThat(limit.tryAcquire("a")).isEmpty(); // the first call has left
    assertThat(limit.tryAcquire("a")).hasValue(Duration.ofSeconds(20));
  }

  @Test
  void aRefusedCallIsNotCounted() {
    limit.tryAcquire("a");
    limit.tryAcquire("a");
    for (int i = 0; i < 5; i++) {
      assertThat(limit.tryAcquire("a")).isPresent();
    }
    clock.advance(Duration.ofSeconds(61));
    assertThat(limit.tryAcquire("a")).isEmpty();
    assertThat(limit.tryAcquire("a")).isEmpty();
  }
}
