package io.comfygate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * What the store contracts share: the stores under test and helpers that make jobs and images.
 * Subclasses of the contracts return a fresh, empty pair of stores for each test from {@link #stores()}
 * (for SQLite: a {@link SqliteStoreFile} extension).
 */
public abstract class StoreContractSupport {
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A job store and an image store on the same data, as one test sees them. */
  public interface Stores {
    default JobStore jobs() {
      return new io.comfygate.store.jdbc.JdbcJobStore(db());
    }

    default ImageStore images() {
      return new io.comfygate.store.jdbc.JdbcImageStore(db());
    }

    /** The test's own folder, for files beside the database (outputs, uploads). */
    java.nio.file.Path dir();

    /** The database under the stores. */
    io.comfygate.store.jdbc.Database db();

    /** Another database on the same data, as a second process opens it; the caller closes it. */
    io.comfygate.store.jdbc.Database open();

    /** Closes the database and opens the same data again, as a restart would. */
    io.comfygate.store.jdbc.Database reopen();
  }

  /** The stores under test: empty at the start of each test, on the same data all through it. */
  protected abstract Stores stores();

  /** The job store under test. */
  protected final JobStore jobStore() {
    return stores().jobs();
  }

  /** The image store under test, backed by the same data as {@link #jobStore()}. */
  protected final ImageStore imageStore() {
    return stores().images();
  }

  protected static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** A queued job whose id sorts by {@code createdAt}, as real ids do. */
  protected static StoredJob job(String user, Instant createdAt) {
    JobId id = JobId.generate(Clock.fixed(createdAt, ZoneOffset.UTC));
    return StoredJob.queued(id, user, "txt2img", "{\"prompt\":\"a cat\",\"seed\":7}", createdAt);
  }

  protected StoredJob insertQueued(String user, Instant createdAt) {
    StoredJob job = job(user, createdAt);
    jobStore().insert(job);
    return job;
  }

  protected StoredJob insertRunning(String user, Instant createdAt) {
    StoredJob job = insertQueued(user, createdAt);
    assertThat(jobStore().transition(job.id(), JobState.QUEUED, JobState.RUNNING,
        JobUpdate.none().withBackend("b1").withStartedAt(createdAt.plusSeconds(1)))).isTrue();
    return job;
  }

  /** A finished job of {@code user} with one image created at {@code createdAt}. */
  protected StoredImage insertImage(String user, Instant createdAt) {
    StoredJob job = insertRunning(user, createdAt.minusSeconds(10));
    String file = user + "/" + job.id().value() + ".png";
    assertThat(jobStore().completeJob(job.id(), createdAt,
        List.of(new NewImage(file, 512, 512, 1234)))).isTrue();
    List<StoredImage> images = imageStore().listByJob(job.id());
    assertThat(images).hasSize(1);
    return images.get(0);
  }

  protected static List<ImageId> ids(Page<StoredImage> page) {
    return page.items().stream().map(StoredImage::id).toList();
  }

  protected static List<ImageId> ids(StoredImage... images) {
    return java.util.Arrays.stream(images).map(StoredImage::id).toList();
  }
}
