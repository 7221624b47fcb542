package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.testkit.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public abstract class TrashSweeperContract extends StoreContractSupport {
  private static final Duration RETENTION = Duration.ofDays(30);

  private TrashPurger purger;

  @BeforeEach
  void open() {
    purger = new TrashPurger(imageStore(), stores().dir().resolve("outputs"));
  }


  @Test
  void sweepPurgesOnlyImagesTrashedLongerThanTheRetention() {
    StoredImage expired = trash(insertImage("alice", at(0)), at(0));
    StoredImage young = trash(insertImage("alice", at(1)), at(0).plus(Duration.ofDays(10)));
    Clock now = Clock.fixed(at(0).plus(Duration.ofDays(31)), ZoneOffset.UTC);

    try (TrashSweeper sweeper = TrashSweeper.start(purger, RETENTION, Duration.ofHours(1), now)) {
      PurgeResult result = sweeper.sweepNow();

      assertThat(result.purged()).isEqualTo(1);
      assertThat(imageStore().find(expired.id())).isEmpty();
      assertThat(imageStore().find(young.id())).isPresent();
    }
  }

  @Test
  void sweepsOnScheduleOnItsOwnNamedDaemonThreadUntilClosed() throws Exception {
    StoredImage expired = trash(insertImage("alice", at(0)), at(0));
    Clock now = Clock.fixed(at(0).plus(Duration.ofDays(31)), ZoneOffset.UTC);

    TrashSweeper sweeper = TrashSweeper.start(purger, RETENTION, Duration.ofMillis(20), now);
    try {
      Await.until("the scheduled sweep to purge the expired image", Duration.ofSeconds(10),
          () -> imageStore().find(expired.id()).isEmpty());
      assertThat(imageStore().find(expired.id())).isEmpty();
      assertThat(sweepThreads()).allSatisfy(t -> assertThat(t.isDaemon()).isTrue()).isNotEmpty();
    } finally {
      sweeper.close();
      sweeper.close();
    }
    assertThat(sweepThreadsGone()).isTrue();
  }

  @Test
  void rejectsBadSettings() {
    Clock clock = Clock.systemUTC();
    assertThatThrownBy(() -> TrashSweeper.start(purger, Duration.ofDays(-1), Duration.ofHours(1),
        clock)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
    assertThatThrownBy(() -> TrashSweeper.start(purger, RETENTION, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
  }

  private StoredImage trash(StoredImage image, Instant at) {
    assertThat(imageStore().softDelete(image.id(), image.userId(), at)).isTrue();
    return image;
  }

  private static List<Thread> sweepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("comfygate-trash-sweep") && t.isAlive())
        .toList();
  }

  private static boolean sweepThreadsGone() throws InterruptedException {
    // A terminated executor's thread may take a moment to leave the thread table.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!sweepThreads().isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
