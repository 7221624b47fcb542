package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.jobs.JobId;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoredJob;
import io.comfygate.testkit.Await;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Taking the dispatcher lease from a holder that is gone ({@link ClusterStore#steal}) on a real
 * PostgreSQL: only when the holder's liveness lock is free and its last renewal is older than its
 * send window, never from a holder that is alive, one that renewed just now, or one of a version
 * that does not record its window.
 */
class PostgresLeaseLivenessTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration WINDOW = Duration.ofMillis(300);
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(2);

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  /** Waits longer than {@code window} after now, by the test's clock (the database's runs alike). */
  private static void outlast(Duration window) throws InterruptedException {
    Thread.sleep(window.toMillis() + 200);
  }

  @Test
  void aStealIsRefusedWhileTheHoldersLivenessLockIsHeldHoweverOldItsRenewal() throws Exception {
    try (Database other = store.open(); LivenessLock lockOfA = new ClusterStore(store.db()).livenessLock("a", LOCK_TIMEOUT)) {
      ClusterStore a = new ClusterStore(store.db());
      ClusterStore b = new ClusterStore(other);
      long fence = a.acquire("a", LEASE, WINDOW).orElseThrow();
      assertThat(lockOfA.hold()).isTrue();
      outlast(WINDOW);

      assertThat(b.steal("b", LEASE, WINDOW)).as("a's session is alive: a slow holder keeps its lease").isEmpty();
      assertThat(b.lease().holder()).isEqualTo("a");
      assertThat(a.renew("a", fence, LEASE, WINDOW)).isTrue();
      assertThat(lockOfA.hold()).as("still held, checked again").isTrue();
    }
  }

  @Test
  void aStealIsRefusedWhenTheHolderRenewedWithinItsWindowEvenWithTheLockFree() throws Exception {
    try (Database other = store.open()) {
      ClusterStore a = new ClusterStore(store.db());
      ClusterStore b = new ClusterStore(other);
      Duration longWindowOfA = Duration.ofSeconds(3);
      long fence = a.acquire("a", LEASE, longWindowOfA).orElseThrow();

      assertThat(b.steal("b", LEASE, WINDOW)).as("just acquired, no lock taken").isEmpty();
      outlast(WINDOW);
      assertThat(b.steal("b", LEASE, WINDOW)).as("older than b's window, not a's own: a may still send").isEmpty();
      assertThat(a.renew("a", fence, LEASE, WINDOW)).isTrue();
      assertThat(b.steal("b", LEASE, WINDOW)).as("just renewed").isEmpty();
      assertThat(b.lease().holder()).isEqualTo("a");
    }
  }

  @Test
  void aStealSucceedsOnceTheLockIsGoneAndTheRenewalOlderThanTheWindowWithAGreaterFenceThatShutsTheOldHolderOut()
      throws Exception {
    try (Database other = store.open(); LivenessLock lockOfA = new ClusterStore(store.db()).livenessLock("a", LOCK_TIMEOUT);
        LivenessLock lockOfB = new ClusterStore(other).livenessLock("b", LOCK_TIMEOUT)) {
      ClusterStore a = new ClusterStore(store.db());
      ClusterStore b = new ClusterStore(other);
      long fenceA = a.acquire("a", LEASE, WINDOW).orElseThrow();
      assertThat(lockOfA.hold()).isTrue();
      JdbcJobStore jobsOfA = new JdbcJobStore(store.db(), JobChangeHook.NONE, null, a.fence("a", () -> fenceA));
      StoredJob job = StoredJob.queued(JobId.generate(Clock.systemUTC()), "alice", "t", "{}", Instant.now());
      jobsOfA.insert(job);

      assertThat(store.terminateLivenessLockHolders()).as("a's lock session, cut").isEqualTo(1);
      AtomicReference<Optional<ClusterStore.Steal>> stolen = new AtomicReference<>(Optional.empty());
      Await.until("b takes the lease from a", Duration.ofSeconds(10), () -> {
        stolen.set(b.steal("b", LEASE, WINDOW));
        return stolen.get().isPresent();
      });

      ClusterStore.Steal steal = stolen.get().orElseThrow();
      assertThat(steal.from()).isEqualTo("a");
      assertThat(steal.fence()).as("a new fence").isGreaterThan(fenceA);
      ClusterStore.LeaseRow lease = a.lease();
      assertThat(lease.holder()).isEqualTo("b");
      assertThat(lease.fence()).isEqualTo(steal.fence());
      assertThat(lease.remaining()).as("a whole lease from the steal").isGreaterThan(LEASE.minusSeconds(5));
      assertThat(a.renew("a", fenceA, LEASE, WINDOW)).as("a's renewal is refused").isFalse();
      assertThat(a.holds("a", fenceA)).isFalse();
      assertThatThrownBy(() -> jobsOfA.assignBackend(job.id(), null, "comfy:8188"))
          .as("a's dispatch write is refused").isInstanceOf(LeaseLostException.class);
      assertThat(b.steal("a", LEASE, WINDOW)).as("b just took it: renewed now, and not from a dead holder").isEmpty();

      assertThat(lockOfB.hold()).as("the new holder takes the lock").isTrue();
      assertThat(lockOfA.hold()).as("a's own lock is gone, and b has it now").isFalse();
      assertThat(b.renew("b", steal.fence(), LEASE, WINDOW)).isTrue();
    }
  }

  @Test
  void aHolderThatDidNotRecordItsWindowUnderItsFenceIsNeverTakenFromItsLeaseHasToExpire() throws Exception {
    try (Database other = store.open()) {
      ClusterStore b = new ClusterStore(other);
      new ClusterStore(store.db()).acquire("a", LEASE, WINDOW).orElseThrow();
      // What an instance of a version before the liveness lock does: a new holder and fence, the
      // rest of the row left as it was.
      store.db().inTransaction("test.old-acquire", tx -> {
        try (PreparedStatement update = tx.prepareStatement(
            "UPDATE leases SET holder = 'old', fence = fence + 1, expires_at = expires_at + 1000 WHERE name = 'dispatcher'")) {
          return update.executeUpdate();
        }
      });
      outlast(WINDOW);

      assertThat(b.steal("b", LEASE, WINDOW)).as("no lock, renewal long ago, but no window under its fence").isEmpty();
      assertThat(b.lease().holder()).isEqualTo("old");
    }
  }

  @Test
  void aLockWhoseConnectionWasCutIsTakenAgainOnANewOne() throws Exception {
    try (LivenessLock lock = new ClusterStore(store.db()).livenessLock("a", LOCK_TIMEOUT)) {
      assertThat(lock.hold()).isTrue();
      assertThat(store.terminateLivenessLockHolders()).isEqualTo(1);
      Await.until("the lock is taken again", Duration.ofSeconds(10), () -> {
        try {
          return lock.hold() && lock.held();
        } catch (java.sql.SQLException e) {
          return false;
        }
      });
      assertThat(store.terminateLivenessLockHolders()).as("held by one session, the new one").isEqualTo(1);
    }
  }
}
