package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.promptPosts;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredJob;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.RecordedRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Durability across a crash: an engine in a forked JVM ({@link EngineProcess}) is killed with
 * SIGKILL while jobs run, wait in ComfyUI's queue and wait in ours; a new engine on the same SQLite
 * file must account for every job, and send none of them to ComfyUI twice.
 */
class CrashRestartTest {
  private static final int JOBS = 50;
  private static final int USERS = 5;
  private static final Duration CHILD_READY = Duration.ofSeconds(30);

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  private EngineChild child;

  /** Ends the engine process; the fixture then closes the restarted engine. */
  @AfterEach
  void cleanUp() throws InterruptedException {
    if (child != null) {
      child.close();
    }
  }

  private static String database() {
    return ENGINE.dir().resolve("db/app.db").toString();
  }

  /**
   * Starts the engine process, waits until it is mid-flight and kills it with SIGKILL.
   *
   * @return the ids of the jobs it accepted
   */
  private List<JobId> startChildAndKillItMidFlight() throws IOException, InterruptedException {
    // Slow enough that the running job is still running when the kill lands.
    ENGINE.comfy().slowNodes(Duration.ofMillis(250));
    child = EngineChild.start(ENGINE.dir().resolve("child-stderr.txt"), List.of(database(),
        ENGINE.dir().resolve("outputs").toString(), ENGINE.comfy().baseUrl().toString(),
        String.valueOf(JOBS), String.valueOf(USERS)));
    List<JobId> ids = child.awaitReady(CHILD_READY);
    child.kill();
    assertThat(ids).hasSize(JOBS);
    return ids;
  }

  private static JobEngine restartEngine() {
    return ENGINE.start(b -> b.quota(new QuotaPolicy(JOBS, 1)));
  }

  /** The jobs' rows as the killed engine left them, read before anything reconciles them. */
  private Map<JobId, StoredJob> storedAtTheKill(List<JobId> ids) {
    Map<JobId, StoredJob> out = new HashMap<>();
    try (Database db = Database.open(database())) {
      JdbcJobStore store = new JdbcJobStore(db);
      for (JobId id : ids) {
        out.put(id, store.find(id).orElseThrow(() -> new AssertionError(id + " lost by the crash")));
      }
    }
    return out;
  }

  @Test
  void afterAKillEveryJobEndsOnceAndNoPromptIsSentTwice() throws Exception {
    List<JobId> ids = startChildAndKillItMidFlight();
    Map<JobId, StoredJob> atKill = storedAtTheKill(ids);
    assertThat(atKill.values()).as("some ran, some were handed over, some waited")
        .anyMatch(s -> s.state() == JobState.RUNNING)
        .anyMatch(s -> s.state() == JobState.QUEUED && s.backend() != null)
        .anyMatch(s -> s.backend() == null);
    ENGINE.comfy().slowNodes(Duration.ZERO);

    JobEngine engine = restartEngine();

    for (JobId id : ids) {
      Job done = awaitEnd(engine, id);
      assertThat(done.state()).as("%s (%s)", id, done.error()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.images()).as("%s images", id).hasSize(1);
      assertThat(engine.outputDir().resolve(done.images().get(0).file())).exists();
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s POSTed once in all", id).isEqualTo(1);
    }
    for (int u = 0; u < USERS; u++) {
      assertThat(engine.list("user" + u, new PageRequest(1, 50)).total()).as("user%d's jobs", u)
          .isEqualTo(JOBS / USERS);
    }
  }

  @Test
  void whenComfyUiRestartedTooRunningJobsFailAndHandedOverOnesAreSentAgainOnce() throws Exception {
    List<JobId> ids = startChildAndKillItMidFlight();
    Map<JobId, StoredJob> atKill = storedAtTheKill(ids);
    // ComfyUI restarts while the engine is dead: its queue, running prompt and history are gone.
    ENGINE.comfy().restart();
    ENGINE.comfy().slowNodes(Duration.ZERO);
    int mark = ENGINE.comfy().requests().size();

    JobEngine engine = restartEngine();

    String backend = ENGINE.comfy().baseUrl().getAuthority();
    int running = 0;
    int handedOver = 0;
    for (JobId id : ids) {
      StoredJob before = atKill.get(id);
      Job done = awaitEnd(engine, id);
      List<RecordedRequest> sinceRestart = after(mark);
      if (before.state() == JobState.RUNNING) {
        running++;
        assertThat(done.state()).as("%s was running", id).isEqualTo(JobState.FAILED);
        assertThat(done.error()).contains("not found on ComfyUI at " + backend);
        assertThat(promptPosts(sinceRestart, id.promptId())).as("%s not sent again", id).isZero();
      } else {
        assertThat(done.state()).as("%s (%s)", id, done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.images()).hasSize(1);
        assertThat(promptPosts(sinceRestart, id.promptId())).as("%s sent again once", id).isEqualTo(1);
        if (before.backend() != null) {
          handedOver++;
        } else {
          assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s waited: POSTed once in all", id).isEqualTo(1);
        }
      }
    }
    assertThat(running).as("jobs running at the kill").isPositive();
    assertThat(handedOver).as("jobs handed over but not started at the kill").isPositive();
  }

  private static List<RecordedRequest> after(int mark) {
    List<RecordedRequest> all = ENGINE.comfy().requests();
    return all.subList(Math.min(mark, all.size()), all.size());
  }
}
