package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The idempotency keys every {@link JobStore} must keep: a job stored with its key in one step, a
 * live key never stored twice, keys per user, expiry and purge; racing inserts of one key from many
 * threads and from two independent {@link Database}s on the same data (as two processes would be):
 * the transaction and the primary key, not an in-memory check, let exactly one job in. A store
 * implementation's test extends this class.
 */
public abstract class IdempotencyContract extends StoreContractSupport {
  private static final int RACERS = 8;

  protected static IdempotencyRecord keyFor(StoredJob job, String key, String hash) {
    return new IdempotencyRecord(job.userId(), key, hash, job.id(), job.createdAt());
  }

  @Test
  void aJobStoredWithItsKeyIsFoundByTheKey() {
    StoredJob job = job("alice", at(0));

    Optional<IdempotencyRecord> earlier = jobStore().insertWithKey(job, keyFor(job, "k-1", "h1"), at(-60));

    assertThat(earlier).isEmpty();
    assertThat(jobStore().find(job.id())).contains(job);
    assertThat(jobStore().findKey("alice", "k-1", at(-60))).contains(keyFor(job, "k-1", "h1"));
  }

  @Test
  void aLiveKeyReturnsTheFirstRecordAndStoresNothing() {
    StoredJob first = job("alice", at(0));
    jobStore().insertWithKey(first, keyFor(first, "k-1", "h1"), at(-60));
    StoredJob second = job("alice", at(5));

    Optional<IdempotencyRecord> earlier = jobStore().insertWithKey(second, keyFor(second, "k-1", "h2"), at(-55));

    assertThat(earlier).contains(keyFor(first, "k-1", "h1"));
    assertThat(jobStore().find(second.id())).isEmpty();
    assertThat(jobStore().listByUser("alice", new PageRequest(1, 10)).total()).isEqualTo(1);
  }

  @Test
  void keysAreScopedPerUser() {
    StoredJob alices = job("alice", at(0));
    StoredJob bobs = job("bob", at(1));

    assertThat(jobStore().insertWithKey(alices, keyFor(alices, "shared", "h"), at(-60))).isEmpty();
    assertThat(jobStore().insertWithKey(bobs, keyFor(bobs, "shared", "h"), at(-60))).isEmpty();

    assertThat(jobStore().findKey("alice", "shared", at(-60)).orElseThrow().jobId()).isEqualTo(alices.id());
    assertThat(jobStore().findKey("bob", "shared", at(-60)).orElseThrow().jobId()).isEqualTo(bobs.id());
  }

  @Test
  void anExpiredKeyIsNotFoundAndIsReplacedByTheNextJob() {
    StoredJob old = job("alice", at(0));
    jobStore().insertWithKey(old, keyFor(old, "k-1", "h1"), at(-60));
    Instant notBefore = at(1);

    assertThat(jobStore().findKey("alice", "k-1", notBefore)).isEmpty();
    StoredJob fresh = job("alice", at(100));
    assertThat(jobStore().insertWithKey(fresh, keyFor(fresh, "k-1", "h2"), notBefore)).isEmpty();

    assertThat(jobStore().findKey("alice", "k-1", notBefore)).contains(keyFor(fresh, "k-1", "h2"));
    assertThat(jobStore().find(old.id())).as("the old job stays").isPresent();
  }

  @Test
  void purgeRemovesOnlyKeysOlderThanTheCutoffAndKeepsTheirJobs() {
    StoredJob old = job("alice", at(0));
    StoredJob recent = job("alice", at(100));
    jobStore().insertWithKey(old, keyFor(old, "old", "h"), at(-60));
    jobStore().insertWithKey(recent, keyFor(recent, "recent", "h"), at(-60));

    assertThat(jobStore().purgeKeys(at(50))).isEqualTo(1);
    assertThat(jobStore().purgeKeys(at(50))).isZero();

    assertThat(jobStore().findKey("alice", "old", at(-60))).isEmpty();
    assertThat(jobStore().findKey("alice", "recent", at(-60))).isPresent();
    assertThat(jobStore().find(old.id())).isPresent();
  }

  @Test
  void aKeyForAnotherUserOrJobIsRefusedAndNothingStored() {
    StoredJob job = job("alice", at(0));
    StoredJob other = job("alice", at(1));

    assertThatThrownBy(() -> jobStore().insertWithKey(job, new IdempotencyRecord("bob", "k", "h", job.id(), at(0)), at(-60)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> jobStore().insertWithKey(job, keyFor(other, "k", "h"), at(-60)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(jobStore().find(job.id())).isEmpty();
  }

  @Test
  void racingInsertsOfOneKeyFromManyThreadsStoreOneJob() throws Exception {
    List<JobStore> racers = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      racers.add(new JdbcJobStore(stores().db()));
    }
    assertExactlyOneWins(racers);
  }

  @Test
  void racingInsertsOfOneKeyFromTwoDatabasesOnTheSameDataStoreOneJob() throws Exception {
    try (Database second = stores().open()) {
      List<JobStore> racers = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        racers.add(new JdbcJobStore(i % 2 == 0 ? stores().db() : second));
      }
      assertExactlyOneWins(racers);
    }
  }

  @Test
  void aKeySurvivesReopeningTheDatabase() {
    StoredJob job = job("alice", at(0));
    jobStore().insertWithKey(job, keyFor(job, "k-restart", "h"), at(-60));
    stores().reopen();

    assertThat(jobStore().findKey("alice", "k-restart", at(-60))).contains(keyFor(job, "k-restart", "h"));
  }

  /** Each store inserts its own job under one key at the same moment; one job and key remain. */
  private void assertExactlyOneWins(List<JobStore> racers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(racers.size());
    CountDownLatch start = new CountDownLatch(1);
    List<StoredJob> jobs = new ArrayList<>();
    List<Future<Optional<IdempotencyRecord>>> results = new ArrayList<>();
    try {
      for (int i = 0; i < racers.size(); i++) {
        StoredJob job = job("alice", at(i));
        jobs.add(job);
        JobStore racer = racers.get(i);
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return racer.insertWithKey(job, keyFor(job, "same-key", "h"), at(-60));
        }));
      }
      start.countDown();
      List<Optional<IdempotencyRecord>> outcomes = new ArrayList<>();
      for (Future<Optional<IdempotencyRecord>> result : results) {
        outcomes.add(result.get(30, TimeUnit.SECONDS));
      }

      assertThat(outcomes.stream().filter(Optional::isEmpty).count()).as("inserts that stored their job").isEqualTo(1);
      IdempotencyRecord winner = jobStore().findKey("alice", "same-key", at(-60)).orElseThrow();
      assertThat(outcomes).allSatisfy(o -> o.ifPresent(r -> assertThat(r).isEqualTo(winner)));
      assertThat(jobStore().listByUser("alice", new PageRequest(1, 100)).items())
          .extracting(StoredJob::id).containsExactly(winner.jobId());
      assertThat(jobs).extracting(StoredJob::id).contains(winner.jobId());
    } finally {
      pool.shutdownNow();
    }
  }
}
