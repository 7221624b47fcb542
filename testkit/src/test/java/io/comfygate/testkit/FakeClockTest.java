package io.comfygate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aClockAtAnInstantMovesOnlyWhenSetOrAdvanced() throws InterruptedException {
    FakeClock clock = FakeClock.at(T0);
    Thread.sleep(5);
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());

    assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(T0.plusSeconds(300));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(300));
    clock.advance(Duration.ofSeconds(-60));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(240));
    clock.set(T0.minusSeconds(1));
    assertThat(clock.instant()).isEqualTo(T0.minusSeconds(1));
  }

  @Test
  void aTickingClockFollowsTheSystemClockShiftedByTheMoves() {
    FakeClock clock = FakeClock.ticking();
    Instant before = Instant.now();
    clock.advance(Duration.ofHours(25));
    Instant shifted = clock.instant();
    Instant after = Instant.now();

    assertThat(shifted).isBetween(before.plus(Duration.ofHours(25)), after.plus(Duration.ofHours(25)));
    clock.set(T0);
    assertThat(clock.instant()).isBetween(T0, T0.plus(Duration.between(before, Instant.now())));
  }

  @Test
  void aCopyInAnotherZoneSharesTheTime() {
    FakeClock utc = FakeClock.at(T0);
    FakeClock paris = utc.withZone(ZoneId.of("Europe/Paris"));
    utc.advance(Duration.ofSeconds(7));

    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(utc.getZone()).isEqualTo(java.time.ZoneOffset.UTC);
    assertThat(paris.instant()).isEqualTo(T0.plusSeconds(7));
    paris.set(T0);
    assertThat(utc.instant()).isEqualTo(T0);
  }

  @Test
  void advancesFromManyThreadsAreNotLost() throws Exception {
    FakeClock clock = FakeClock.at(T0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(1));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(4));
  }
}
