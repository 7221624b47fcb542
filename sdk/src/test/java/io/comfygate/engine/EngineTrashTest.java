package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.jobs.JobState;
import io.comfygate.store.Include;
import io.comfygate.store.PageRequest;
import io.comfygate.store.PurgeResult;
import io.comfygate.store.StoredImage;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gallery, soft delete, restore and trash purge/sweep on images the engine made. */
class EngineTrashTest {
  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture();

  private StoredImage makeImage(JobEngine engine, String user) throws Exception {
    Job job = engine.submit(user, null, new ObjectMapper().readTree("{\"prompt\":\"p\",\"width\":64,\"height\":64,\"steps\":2}"));
    return EngineTests.awaitState(engine, job.id(), JobState.SUCCEEDED).images().get(0);
  }

  private static JobEngine engine(Duration retention, Duration sweepEvery) {
    return ENGINE.start(b -> b.trash(retention, sweepEvery));
  }

  @Test
  void deleteRestoreAndPurgeRemoveFileThenRow() throws Exception {
    JobEngine engine = engine(Duration.ofDays(30), Duration.ofHours(1));
    StoredImage image = makeImage(engine, "alice");
    Path file = engine.outputDir().resolve(image.file());
    assertThat(engine.images().gallery("alice", Include.ACTIVE, new PageRequest(1, 10)).items()).extracting(StoredImage::id).containsExactly(image.id());

    assertThat(engine.images().softDelete(image.id(), "bob", java.time.Instant.now())).as("not bob's").isFalse();
    assertThat(engine.images().softDelete(image.id(), "alice", java.time.Instant.now())).isTrue();
    assertThat(engine.images().gallery("alice", Include.ACTIVE, new PageRequest(1, 10)).total()).isZero();
    assertThat(engine.images().gallery("alice", Include.DELETED, new PageRequest(1, 10)).items().get(0).isDeleted()).isTrue();
    assertThat(engine.images().restore(image.id(), "alice")).isTrue();
    assertThat(engine.images().gallery("alice", Include.ACTIVE, new PageRequest(1, 10)).total()).isEqualTo(1);

    engine.images().softDelete(image.id(), "alice", java.time.Instant.now());
    PurgeResult result = engine.purgeTrash();

    assertThat(result.purged()).isEqualTo(1);
    assertThat(result.bytesFreed()).isEqualTo(image.sizeBytes());
    assertThat(file).doesNotExist();
    assertThat(engine.images().find(image.id())).isEmpty();
  }

  @Test
  void theScheduledSweepEmptiesTrashOlderThanTheRetention() throws Exception {
    JobEngine engine = engine(Duration.ZERO, Duration.ofMillis(200));
    StoredImage kept = makeImage(engine, "alice");
    StoredImage trashed = makeImage(engine, "alice");
    engine.images().softDelete(trashed.id(), "alice", java.time.Instant.now());

    EngineTests.waitUntil("the sweep to purge the trashed image", Duration.ofSeconds(10),
        () -> engine.images().find(trashed.id()).isEmpty());
    assertThat(engine.outputDir().resolve(trashed.file())).doesNotExist();
    assertThat(engine.images().find(kept.id())).isPresent();
    assertThat(engine.outputDir().resolve(kept.file())).exists();
  }
}
