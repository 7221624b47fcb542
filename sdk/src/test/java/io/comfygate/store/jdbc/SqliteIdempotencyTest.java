package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.store.IdempotencyContract;
import io.comfygate.store.IdempotencyRecord;
import io.comfygate.store.JobStore;
import io.comfygate.store.PageRequest;
import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoredJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotency keys on a SQLite file: the contract, plus racing inserts of one key from many threads
 * and from two independent {@link Database}s on the same file (as two processes would be): the
 * transaction and the primary key, not an in-memory check, let exactly one job in.
 */
class SqliteIdempotencyTest extends IdempotencyContract {
  private static final int RACERS = 8;

  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();

  @Override
  protected Stores stores() {
    return store;
  }

  @Test
  void racingInsertsOfOneKeyFromManyThreadsStoreOneJob() throws Exception {
    List<JobStore> stores = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      stores.add(new JdbcJobStore(store.db()));
    }
    assertExactlyOneWins(stores);
  }

  @Test
  void racingInsertsOfOneKeyFromTwoDatabasesOnOneFileStoreOneJob() throws Exception {
    try (Database second = SqliteStoreFile.open(store.dir())) {
      List<JobStore> stores = new ArrayList<>();
      for (int i = 0; i < RACERS; i++) {
        stores.add(new JdbcJobStore(i % 2 == 0 ? store.db() : second));
      }
      assertExactlyOneWins(stores);
    }
  }

  @Test
  void aKeySurvivesReopeningTheDatabase() {
    StoredJob job = job("alice", at(0));
    jobStore().insertWithKey(job, keyFor(job, "k-restart", "h"), at(-60));
    store.reopen();

    assertThat(jobStore().findKey("alice", "k-restart", at(-60))).contains(keyFor(job, "k-restart", "h"));
  }

  /** Each store inserts its own job under one key at the same moment; one job and key remain. */
  private void assertExactlyOneWins(List<JobStore> stores) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(stores.size());
    CountDownLatch start = new CountDownLatch(1);
    List<StoredJob> jobs = new ArrayList<>();
    List<Future<Optional<IdempotencyRecord>>> results = new ArrayList<>();
    try {
      for (int i = 0; i < stores.size(); i++) {
        StoredJob job = job("alice", at(i));
        jobs.add(job);
        JobStore store = stores.get(i);
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return store.insertWithKey(job, keyFor(job, "same-key", "h"), at(-60));
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
