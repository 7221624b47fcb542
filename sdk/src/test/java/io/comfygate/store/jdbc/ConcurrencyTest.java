package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.PageRequest;
import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoredJob;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many threads writing at once: every write commits, none fails with SQLITE_BUSY. */
class ConcurrencyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int THREADS = 8;

  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();
  private Database db;
  private JdbcJobStore jobs;
  private JdbcImageStore images;
  private ExecutorService pool;

  @BeforeEach
  void open() {
    db = store.db();
    jobs = new JdbcJobStore(db);
    images = new JdbcImageStore(db);
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void eightThreadsInsertingAndTransitioningAllCommit() throws Exception {
    int jobsPerThread = 25;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      String user = "user-" + t;
      results.add(pool.submit(() -> {
        start.await(10, TimeUnit.SECONDS);
        for (int i = 0; i < jobsPerThread; i++) {
          StoredJob job = StoredJob.queued(JobId.generate(Clock.systemUTC()), user, "txt2img",
              "{}", T0.plusMillis(i));
          jobs.insert(job);
          // Reads interleave with writes from the other threads.
          jobs.find(job.id());
          jobs.transition(job.id(), JobState.QUEUED, JobState.RUNNING,
              JobUpdate.none().withStartedAt(T0.plusMillis(i)));
          jobs.completeJob(job.id(), T0.plusMillis(i + 5),
              List.of(new NewImage(user + "/" + i + ".png", 64, 64, 10)));
        }
        return jobsPerThread;
      }));
    }
    start.countDown();
    for (Future<Integer> result : results) {
      // Any SQLITE_BUSY would surface here as an ExecutionException.
      assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(jobsPerThread);
    }

    for (int t = 0; t < THREADS; t++) {
      String user = "user-" + t;
      assertThat(jobs.listByUser(user, new PageRequest(1, 100)).items())
          .hasSize(jobsPerThread)
          .allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.SUCCEEDED));
      assertThat(images.gallery(user, io.comfygate.store.Include.ACTIVE, new PageRequest(1, 1))
          .total()).isEqualTo(jobsPerThread);
    }
    assertThat(jobs.listActive()).isEmpty();
  }

  @Test
  void aCancelRacingAStartHasExactlyOneWinner() throws Exception {
    for (int round = 0; round < 30; round++) {
      StoredJob job = StoredJob.queued(
          JobId.generate(Clock.systemUTC()), "alice", "txt2img", "{}", T0);
      jobs.insert(job);
      CountDownLatch start = new CountDownLatch(1);
      Callable<Boolean> startJob = () -> {
        start.await(10, TimeUnit.SECONDS);
        return jobs.transition(job.id(), JobState.QUEUED, JobState.RUNNING,
            JobUpdate.none().withBackend("gpu-1").withStartedAt(T0));
      };
      Callable<Boolean> cancelJob = () -> {
        start.await(10, TimeUnit.SECONDS);
        return jobs.transition(job.id(), JobState.QUEUED, JobState.CANCELLED,
            JobUpdate.none().withFinishedAt(T0));
      };
      Future<Boolean> started = pool.submit(startJob);
      Future<Boolean> cancelled = pool.submit(cancelJob);
      start.countDown();

      boolean startWon = started.get(10, TimeUnit.SECONDS);
      boolean cancelWon = cancelled.get(10, TimeUnit.SECONDS);

      assertThat(startWon).isNotEqualTo(cancelWon);
      StoredJob stored = jobs.find(job.id()).orElseThrow();
      assertThat(stored.state()).isEqualTo(startWon ? JobState.RUNNING : JobState.CANCELLED);
      // The loser's fields were not written either.
      assertThat(stored.backend()).isEqualTo(startWon ? "gpu-1" : null);
    }
  }
}
