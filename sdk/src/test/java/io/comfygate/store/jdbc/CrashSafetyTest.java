package io.comfygate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.StoreException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ImageId;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.NewImage;
import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.StoredJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was committed is there after a restart, whether or not the store was closed properly. */
class CrashSafetyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void reopeningAfterAnOrderlyCloseFindsEverything() {
    StoredJob queued;
    StoredJob done;
    ImageId trashed;
    try (Database db = SqliteStoreFile.open(dir)) {
      queued = insert(db, "alice");
      done = runAndComplete(db, "bob");
      trashed = new JdbcImageStore(db).listByJob(done.id()).get(0).id();
      new JdbcImageStore(db).softDelete(trashed, "bob", T0.plusSeconds(60));
    }

    try (Database db = SqliteStoreFile.open(dir)) {
      JdbcJobStore jobs = new JdbcJobStore(db);
      assertThat(jobs.listActive()).containsExactly(queued);
      assertThat(jobs.find(done.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(new JdbcImageStore(db).find(trashed).orElseThrow().isDeleted()).isTrue();
    }
  }

  @Test
  void aCopyOfTheFilesTakenWhileOpenHasEveryCommit() throws Exception {
    // Copying the database and its WAL while the store is open and never closed is what a disk
    // looks like after the process is killed: commits live in the WAL, not yet checkpointed.
    Path copy = dir.resolve("crashed");
    StoredJob queued;
    StoredJob done;
    Database db = SqliteStoreFile.open(dir);
    try {
      queued = insert(db, "alice");
      done = runAndComplete(db, "bob");
      Path original = dir.resolve("db");
      Files.createDirectories(copy.resolve("db"));
      for (String name : List.of("app_data.db", "app_data.db-wal")) {
        Files.copy(original.resolve(name), copy.resolve("db").resolve(name));
      }
    } finally {
      db.close();
    }

    try (Database reopened = SqliteStoreFile.open(copy)) {
      JdbcJobStore jobs = new JdbcJobStore(reopened);
      assertThat(jobs.listActive()).containsExactly(queued);
      assertThat(jobs.find(done.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(new JdbcImageStore(reopened).listByJob(done.id())).hasSize(1);
    }
  }

  @Test
  void aSecondOpenWhileTheFirstWasNeverClosedSeesEveryCommit() {
    // The first Database is abandoned without close(), as after a crashed deploy.
    Database abandoned = SqliteStoreFile.open(dir);
    StoredJob queued = insert(abandoned, "alice");
    StoredJob done = runAndComplete(abandoned, "bob");
    try (Database db = SqliteStoreFile.open(dir)) {
      JdbcJobStore jobs = new JdbcJobStore(db);
      assertThat(jobs.listActive()).containsExactly(queued);
      assertThat(jobs.find(done.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    } finally {
      abandoned.close();
    }
  }

  @Test
  void aCompletionThatFailsHalfwayLeavesTheJobRunningWithNoImages() {
    try (Database db = SqliteStoreFile.open(dir)) {
      JdbcJobStore jobs = new JdbcJobStore(db);
      StoredJob job = insert(db, "alice");
      jobs.transition(job.id(), JobState.QUEUED, JobState.RUNNING,
          JobUpdate.none().withStartedAt(T0));
      // Makes the second image insert fail after the state update and the first image.
      db.inTransaction("test", c -> DatabaseTest.update(c, """
          CREATE TRIGGER fail_second BEFORE INSERT ON images WHEN NEW.file = 'b.png'
          BEGIN SELECT RAISE(ABORT, 'disk full'); END"""));

      assertThatThrownBy(() -> jobs.completeJob(job.id(), T0.plusSeconds(5), List.of(
          new NewImage("a.png", 64, 64, 1), new NewImage("b.png", 64, 64, 1))))
          .isInstanceOf(StoreException.class).hasMessageContaining("disk full");

      assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
      assertThat(new JdbcImageStore(db).listByJob(job.id())).isEmpty();
    }
  }

  private static StoredJob insert(Database db, String user) {
    StoredJob job = StoredJob.queued(
        JobId.generate(Clock.systemUTC()), user, "txt2img", "{\"seed\":1}", T0);
    new JdbcJobStore(db).insert(job);
    return job;
  }

  private static StoredJob runAndComplete(Database db, String user) {
    JdbcJobStore jobs = new JdbcJobStore(db);
    StoredJob job = insert(db, user);
    jobs.transition(job.id(), JobState.QUEUED, JobState.RUNNING,
        JobUpdate.none().withStartedAt(T0.plusSeconds(1)));
    jobs.completeJob(job.id(), T0.plusSeconds(9), List.of(new NewImage("x.png", 64, 64, 5)));
    return job;
  }
}
