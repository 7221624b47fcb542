package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.promptPosts;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.jdbc.Database;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.RecordedRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances on one PostgreSQL schema, the dispatcher in a JVM of its own ({@link
 * EngineProcess}) with 50 jobs of 5 users running, handed over and waiting, and a survivor in the
 * test's JVM, with the default heartbeat (1 s) and lease (5 s). The dispatcher is killed with
 * SIGKILL, or paused with SIGSTOP past its lease and resumed: every job ends once, each prompt is
 * POSTed to ComfyUI once, and the resumed one sends nothing. Killed, its liveness lock goes with
 * it and the survivor takes over well before the lease could have expired; paused, it keeps its
 * lock, and the survivor takes over when the lease expires.
 */
class ClusterFailoverTest {
  private static final int JOBS = 50;
  private static final int USERS = 5;
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(5);
  /** The lease, one heartbeat for the survivor to notice, and room for a loaded machine. */
  private static final Duration TAKE_OVER_WITHIN = LEASE.plus(HEARTBEAT).plusSeconds(3);
  /**
   * After a kill: sooner than the lease's expiry could ever let anyone take over (the lease less
   * one heartbeat after the kill: it was renewed at most a heartbeat before). The steal itself comes
   * within the send window (2 s) of the last renewal and a follower's poll (250 ms).
   */
  private static final Duration TAKE_OVER_FROM_THE_DEAD_WITHIN = LEASE.minus(HEARTBEAT);
  private static final Duration CHILD_READY = Duration.ofSeconds(45);
  private static final String CHILD = "gw-child";
  private static final String SURVIVOR = "gw-survivor";

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  private EngineChild child;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (child != null) {
      child.close();
    }
  }

  /** Starts the dispatcher process and waits until its jobs are mid-flight; returns their ids. */
  private List<JobId> startDispatcherChild() throws IOException, InterruptedException {
    ENGINE.comfy().slowNodes(Duration.ofMillis(250)); // the running job still runs when the signal lands
    child = EngineChild.start(ENGINE.dir().resolve("child-stderr.txt"), List.of(store.url(),
        ENGINE.dir().resolve("outputs").toString(), ENGINE.comfy().baseUrl().toString(), String.valueOf(JOBS),
        String.valueOf(USERS), CHILD, String.valueOf(HEARTBEAT.toMillis()), String.valueOf(LEASE.toMillis())));
    List<JobId> ids = child.awaitReady(CHILD_READY);
    assertThat(ids).hasSize(JOBS);
    return ids;
  }

  private JobEngine startSurvivor() {
    Database db = ENGINE.own(Database.builder(store.url()).poolSize(8).build());
    JobEngine survivor = ENGINE.start(b -> b.database(db).quota(new QuotaPolicy(JOBS, 1))
        .cluster(SURVIVOR, HEARTBEAT, LEASE));
    assertThat(survivor.cluster().dispatcher()).as("the child holds the lease").contains(CHILD);
    return survivor;
  }

  private static long promptPostsSoFar() {
    return ENGINE.comfy().requests().stream().filter(ClusterFailoverTest::isPromptPost).count();
  }

  private static boolean isPromptPost(RecordedRequest r) {
    return r.method().equals("POST") && r.path().endsWith("/prompt");
  }

  private static void everyJobSucceededOnceEachPromptPostedOnce(JobEngine survivor, List<JobId> ids) {
    for (JobId id : ids) {
      Job done = awaitEnd(survivor, id);
      assertThat(done.state()).as("%s (%s)", id, done.error()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.images()).as("%s images", id).hasSize(1);
      assertThat(survivor.outputDir().resolve(done.images().get(0).file())).exists();
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s POSTed once in all", id).isEqualTo(1);
    }
    assertThat(promptPostsSoFar()).as("prompts POSTed in all").isEqualTo(JOBS);
  }

  @Test
  void whenTheDispatcherIsKilledTheSurvivorTakesOverWithinTheLeaseAndSendsEachPromptOnce() throws Exception {
    List<JobId> ids = startDispatcherChild();
    JobEngine survivor = startSurvivor();
    long postsBefore = promptPostsSoFar();

    long killed = System.nanoTime();
    child.kill();
    ENGINE.comfy().slowNodes(Duration.ZERO);
    waitUntil("the survivor holds the lease", TAKE_OVER_WITHIN,
        () -> survivor.cluster().dispatcher().filter(SURVIVOR::equals).isPresent());
    long leaseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    waitUntil("the survivor POSTs a prompt", TAKE_OVER_WITHIN.plusSeconds(5), () -> promptPostsSoFar() > postsBefore);
    long postMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    System.out.printf("failover after kill -9 (lease %d s, heartbeat %d s): survivor holds the lease after %d ms,"
        + " POSTs its first prompt after %d ms%n", LEASE.toSeconds(), HEARTBEAT.toSeconds(), leaseMillis, postMillis);
    assertThat(leaseMillis).as("take-over time: from a dead holder, before its lease expired")
        .isLessThan(TAKE_OVER_FROM_THE_DEAD_WITHIN.toMillis());

    everyJobSucceededOnceEachPromptPostedOnce(survivor, ids);
  }

  @Test
  void aDispatcherPausedPastItsLeaseSendsNothingWhenResumedAndFollows() throws Exception {
    List<JobId> ids = startDispatcherChild();
    JobEngine survivor = startSurvivor();

    child.signal("STOP");
    long stopped = System.nanoTime();
    long postsAtStop = promptPostsSoFar();
    waitUntil("the survivor holds the lease", TAKE_OVER_WITHIN,
        () -> survivor.cluster().dispatcher().filter(SURVIVOR::equals).isPresent());
    System.out.printf("failover after SIGSTOP: survivor holds the lease after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped));
    ENGINE.comfy().slowNodes(Duration.ofMillis(30));
    waitUntil("the survivor POSTs a prompt", TAKE_OVER_WITHIN, () -> promptPostsSoFar() > postsAtStop);

    Instant resumed = Instant.now();
    child.signal("CONT");
    waitUntil("the resumed instance heartbeats again, as a follower", TAKE_OVER_WITHIN, () -> {
      ClusterStatus cluster = survivor.cluster();
      return cluster.instances().stream().anyMatch(i -> i.id().equals(CHILD) && i.lastHeartbeat().isAfter(resumed)
          && i.role() == ClusterStatus.Role.FOLLOWER) && cluster.dispatcher().filter(SURVIVOR::equals).isPresent();
    });
    assertThat(child.isAlive()).isTrue();
    waitUntil("the resumed instance logs that it stepped down", TAKE_OVER_WITHIN,
        () -> child.hasPrinted("dispatcher_lost"));

    everyJobSucceededOnceEachPromptPostedOnce(survivor, ids);
    assertThat(survivor.cluster().dispatcher()).contains(SURVIVOR);
  }
}
