package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry rule for writes that record what ComfyUI already did (end-to-end: DatabaseLockedTest). */
class DurableWritesTest {
  private static final int SQLITE_BUSY = 5;

  private static StoreException busy() {
    return new StoreException("job.transition", "database is locked", new SQLException("locked", "", SQLITE_BUSY));
  }

  @Test
  void aBusyDatabaseIsTriedAgainUntilTheWriteSucceeds() {
    AtomicInteger attempts = new AtomicInteger();
    DurableWrites durable = new DurableWrites(() -> false);

    String result = durable.record("end of j1", () -> {
      if (attempts.incrementAndGet() < 3) {
        throw busy();
      }
      return "written";
    });

    assertThat(result).isEqualTo("written");
    assertThat(attempts).hasValue(3);
  }

  @Test
  void anyOtherStoreFailureIsThrownAtOnce() {
    AtomicInteger attempts = new AtomicInteger();
    DurableWrites durable = new DurableWrites(() -> false);

    assertThatThrownBy(() -> durable.record("end of j1", () -> {
      attempts.incrementAndGet();
      throw new StoreException("job.transition", "no such table: jobs");
    })).isInstanceOf(StoreException.class).hasMessageContaining("no such table");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void onceTheEngineClosesABusyDatabaseIsNoLongerWaitedFor() {
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger attempts = new AtomicInteger();
    DurableWrites durable = new DurableWrites(closed::get);

    assertThatThrownBy(() -> durable.record("end of j1", () -> {
      if (attempts.incrementAndGet() == 2) {
        closed.set(true);
      }
      throw busy();
    })).isInstanceOf(StoreException.class).matches(e -> ((StoreException) e).busy());
    assertThat(attempts).hasValue(2);
  }

  @Test
  void anInterruptEndsTheWaitWithTheStoreErrorAndKeepsTheFlag() {
    DurableWrites durable = new DurableWrites(() -> false);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> durable.record("end of j1", () -> {
        throw busy();
      })).isInstanceOf(StoreException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
