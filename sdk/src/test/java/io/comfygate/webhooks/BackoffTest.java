package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofHours(1));

  @Test
  void theWaitDoublesAfterEachFailureUpToTheCap() {
    // random 0.999… gives (almost) the full wait, 0 gives half of it.
    assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofMillis(2500));
    assertThat(backoff.delay(2, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(3, 0.0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.delay(11, 0.0)).isEqualTo(Duration.ofMinutes(30)); // 5 s * 1024 > 1 h: capped
    assertThat(backoff.delay(1000, 0.0)).as("no overflow").isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void jitterSpreadsTheWaitBetweenHalfAndAllOfIt() {
    assertThat(backoff.delay(3, 0.5)).isEqualTo(Duration.ofMillis(15_000));
    assertThat(backoff.delay(3, 0.999_999)).isLessThan(Duration.ofSeconds(20)).isGreaterThan(Duration.ofMillis(19_990));
  }
}
