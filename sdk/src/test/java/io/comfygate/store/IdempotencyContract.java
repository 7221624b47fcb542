package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The idempotency keys every {@link JobStore} must keep: a job stored with its key in one step, a
 * live key never stored twice, keys per user, expiry and purge. A store implementation's test
 * extends this class.
 */
public abstract class IdempotencyContract extends StoreContractSupport {

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
}
