package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.small;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.StoredImage;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcImageStore;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.webhooks.Webhooks;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine on PostgreSQL instead of SQLite, against the simulated ComfyUI: a job from submit to
 * its stored image (the webhooks' store hook in its transactions), and a restart that
 * finishes what the previous engine left, each prompt sent once.
 */
class PostgresEngineTest {
  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  private JobEngine engine(Database db, QuotaPolicy quota) {
    Webhooks webhooks = ENGINE.own(Webhooks.builder(db).build());
    return ENGINE.start(b -> b.database(db).webhooks(webhooks).quota(quota));
  }

  @Test
  void aJobRunsFromSubmitToItsStoredImage() {
    JobEngine engine = engine(store.db(), new QuotaPolicy(3, 1));

    JobId id = engine.submit("alice", null, small("a cat on postgres")).id();
    Job done = awaitState(engine, id, JobState.SUCCEEDED);

    assertThat(done.images()).hasSize(1);
    StoredImage image = done.images().get(0);
    assertThat(new JdbcImageStore(store.db()).listByJob(id)).containsExactly(image);
    assertThat(engine.outputDir().resolve(image.file())).exists();
    assertThat(EngineTests.promptPosts(ENGINE.comfy(), id.promptId())).isEqualTo(1);
    assertThat(rows("SELECT COUNT(*) FROM jobs WHERE id = '" + id.value() + "' AND state = 'succeeded'")).isEqualTo(1);
  }

  @Test
  void aRestartOnTheSameDatabaseFinishesEveryJobSendingEachPromptOnce() throws Exception {
    ENGINE.comfy().slowNodes(Duration.ofMillis(150));
    JobEngine first = engine(store.db(), new QuotaPolicy(5, 1));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(first.submit(i % 2 == 0 ? "alice" : "bob", null, small("restart " + i)).id());
    }
    ENGINE.closeAll();

    JobEngine second = engine(store.reopen(), new QuotaPolicy(5, 1));
    for (JobId id : ids) {
      assertThat(awaitState(second, id, JobState.SUCCEEDED).images()).hasSize(1);
      assertThat(EngineTests.promptPosts(ENGINE.comfy(), id.promptId())).as("POSTs of " + id).isEqualTo(1);
    }
    assertThat(rows("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'")).isEqualTo(4);
  }

  private long rows(String countSql) {
    return store.db().read("test", c -> {
      try (PreparedStatement count = c.prepareStatement(countSql); ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    });
  }
}
