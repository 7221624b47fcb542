package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoredJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dispatcher lease, its fence and the job-change feed on a real PostgreSQL, as two instances
 * (two {@link Database}s on one schema) see them.
 */
class PostgresClusterStoreTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration WINDOW = Duration.ofSeconds(2);

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  @Test
  void oneHolderAtATimeEachNewHolderWithAGreaterFence() {
    try (Database other = store.open()) {
      ClusterStore a = new ClusterStore(store.db());
      ClusterStore b = new ClusterStore(other);

      OptionalLong first = a.acquire("a", LEASE, WINDOW);
      assertThat(first).isPresent();
      assertThat(b.acquire("b", LEASE, WINDOW)).as("a live lease cannot be taken").isEmpty();
      assertThat(a.renew("a", first.getAsLong(), LEASE, WINDOW)).isTrue();
      assertThat(b.renew("b", first.getAsLong(), LEASE, WINDOW)).as("only its holder renews it").isFalse();
      assertThat(b.lease().holder()).isEqualTo("a");
      assertThat(b.lease().live()).isTrue();

      assertThat(a.release("a", first.getAsLong())).isTrue();
      OptionalLong second = b.acquire("b", LEASE, WINDOW);
      assertThat(second).isPresent();
      assertThat(second.getAsLong()).isGreaterThan(first.getAsLong());
      assertThat(a.renew("a", first.getAsLong(), LEASE, WINDOW)).as("the old holder lost it").isFalse();
      assertThat(a.release("a", first.getAsLong())).as("nor can it release the new holder's").isFalse();
    }
  }

  @Test
  void anExpiredLeaseIsTakenByTheNextAndTheOldHoldersHandOverIsRefused() {
    try (Database other = store.open(); JobFeed feedA = new JobFeed(store.db(), "a")) {
      ClusterStore a = new ClusterStore(store.db());
      ClusterStore b = new ClusterStore(other);
      long fenceA = a.acquire("a", Duration.ofSeconds(2), WINDOW).orElseThrow();
      assertThat(a.holds("a", fenceA)).isTrue();
      JdbcJobStore jobsOfA = new JdbcJobStore(store.db(), JobChangeHook.NONE, feedA, a.fence("a", () -> fenceA));
      StoredJob job = StoredJob.queued(JobId.generate(java.time.Clock.systemUTC()), "alice", "t", "{}", Instant.now());
      jobsOfA.insert(job);

      io.comfygate.testkit.Await.until("the lease expires", Duration.ofSeconds(10), () -> !a.holds("a", fenceA));
      assertThat(b.acquire("b", LEASE, WINDOW)).isPresent();

      assertThatThrownBy(() -> jobsOfA.assignBackend(job.id(), null, "comfy:8188"))
          .isInstanceOf(LeaseLostException.class).hasMessageContaining("instance a");
      assertThat(new JdbcJobStore(other).find(job.id()).orElseThrow().backend()).as("nothing written").isNull();
    }
  }

  @Test
  void aReaderFollowingConcurrentWritersGetsEveryChangeOnceAndEachJobsChangesInOrder() throws Exception {
    try (Database other = store.open(); JobFeed feedA = new JobFeed(store.db(), "a");
        JobFeed feedB = new JobFeed(other, "b"); JobFeed.Listener listener = feedB.listen()) {
      JdbcJobStore a = new JdbcJobStore(store.db(), JobChangeHook.NONE, feedA, DispatchFence.NONE);
      List<JobFeed.Change> read = new ArrayList<>();
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      JobFeed.Cursor start = feedB.head();
      ExecutorService pool = Executors.newFixedThreadPool(5);
      List<JobId> ids = new ArrayList<>();
      try {
        Future<?> reader = pool.submit(() -> {
          JobFeed.Cursor cursor = start;
          boolean last = false;
          while (true) {
            JobFeed.Batch batch = feedB.after(cursor, 7); // small batches: the full-batch path too
            read.addAll(batch.changes());
            cursor = batch.next();
            if (!batch.full() && last) {
              return null;
            }
            last = !writing.get() && !batch.full(); // one more read after the writers are done
          }
        });
        List<Future<JobId>> inserts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          int n = i;
          inserts.add(pool.submit(() -> {
            StoredJob job = StoredJob.queued(JobId.generate(java.time.Clock.systemUTC()), "user" + (n % 4), "t", "{}",
                Instant.now());
            a.insert(job);
            a.assignBackend(job.id(), null, "comfy:8188");
            a.transition(job.id(), JobState.QUEUED, JobState.RUNNING, io.comfygate.store.JobUpdate.none()
                .withStartedAt(Instant.now()));
            return job.id();
          }));
        }
        for (Future<JobId> f : inserts) {
          ids.add(f.get(30, TimeUnit.SECONDS));
        }
        writing.set(false);
        reader.get(30, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }

      assertThat(read).hasSize(ids.size() * 3);
      assertThat(read.stream().map(JobFeed.Change::seq).distinct()).as("each change once").hasSize(read.size());
      assertThat(read).allSatisfy(c -> assertThat(c.origin()).isEqualTo("a"));
      for (JobId id : ids) {
        assertThat(read.stream().filter(c -> c.jobId().equals(id)).map(JobFeed.Change::kind))
            .as("changes of %s in order", id).containsExactly("queued", JobFeed.HANDED_OVER, "running");
      }
      assertThat(listener.await(Duration.ofSeconds(5))).as("a notification woke the other instance")
          .anyMatch(n -> n.type().equals(JobFeed.CHANGED) && n.origin().equals("a"));
    }
  }

  @Test
  void aChangeNumberedFirstButCommittedLastIsReadWhenItCommitsNotSkipped() throws Exception {
    try (Database other = store.open(); java.sql.Connection slow = store.db().writeDataSource().getConnection();
        JobFeed feedA = new JobFeed(store.db(), "a"); JobFeed feedB = new JobFeed(other, "b")) {
      JdbcJobStore a = new JdbcJobStore(store.db(), JobChangeHook.NONE, feedA, DispatchFence.NONE);
      JobFeed.Cursor cursor = feedB.head();
      JobId early = JobId.generate(java.time.Clock.systemUTC());
      slow.setAutoCommit(false);
      feedA.append(slow, early, "queued", null); // its seq is drawn now; it commits last
      StoredJob late = StoredJob.queued(JobId.generate(java.time.Clock.systemUTC()), "bob", "t", "{}", Instant.now());
      a.insert(late);

      JobFeed.Batch first = feedB.after(cursor, 100);
      assertThat(first.changes()).extracting(JobFeed.Change::jobId).containsExactly(late.id());
      slow.commit();
      slow.setAutoCommit(true);
      JobFeed.Batch second = feedB.after(first.next(), 100);
      assertThat(second.changes()).extracting(JobFeed.Change::jobId).as("the earlier number, committed later")
          .containsExactly(early);
      assertThat(second.changes().get(0).seq()).isLessThan(first.changes().get(0).seq());
      assertThat(feedB.after(second.next(), 100).changes()).as("nothing twice").isEmpty();
    }
  }
}
