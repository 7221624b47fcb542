package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.promptPosts;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JobFeed;
import io.comfygate.testkit.FakeComfyUi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dispatcher that keeps running but is cut off: its liveness lock's connection is ended and its
 * coordinator is stuck on the database (the test holds its instance row locked, so its heartbeat
 * waits and it renews nothing), while its senders go on. Another instance takes the lease from it
 * after the send window W, long before the lease expires; the cut-off one sends no prompt after
 * W, holding back the jobs whose hand-over it recorded meanwhile (the other sends them, found
 * recorded but not on ComfyUI), and each prompt is POSTed once in all. Default heartbeat (1 s) and
 * lease (5 s): W is 2 s.
 */
class ClusterCutOffTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(5);
  private static final Duration SEND_WINDOW = HEARTBEAT.multipliedBy(2);
  private static final int JOBS = 24;
  private static final int USERS = 4;

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  private JobEngine instance(String id, Duration busyTimeout) {
    Database db = ENGINE.own(Database.builder(store.url()).poolSize(8).busyTimeout(busyTimeout).build());
    return ENGINE.start(b -> b.database(db).quota(new QuotaPolicy(JOBS, 1)).cluster(id, HEARTBEAT, LEASE));
  }

  @Test
  void aDispatcherCutOffFromItsLockAndItsRenewalsSendsNothingAfterTheWindowAndTheOtherSendsEachPromptOnce()
      throws Exception {
    // Its heartbeat waits for the test's row lock up to this long: longer than the test holds it.
    JobEngine a = instance("gw-a", Duration.ofSeconds(30));
    JobEngine b = instance("gw-b", Duration.ofSeconds(10));
    assertThat(b.cluster().dispatcher()).contains("gw-a");
    Queue<Long> sentByA = new ConcurrentLinkedQueue<>();
    a.addDispatchListener(t -> sentByA.add(System.currentTimeMillis())); // the database's clock: same machine
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      ids.add(a.submit("user" + (i % USERS), null, small("cut off " + i)).id());
    }
    awaitState(b, ids.get(0), JobState.RUNNING);
    long windowEnd; // epoch ms
    try (Connection test = DriverManager.getConnection(store.url())) {
      test.setAutoCommit(false);
      try (PreparedStatement lockRow = test.prepareStatement("SELECT 1 FROM instances WHERE id = 'gw-a' FOR UPDATE")) {
        lockRow.execute();
      }
      int testPid = test.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      waitUntil("A's heartbeat waits for the test's row lock", Duration.ofSeconds(10), () -> blockedBy(testPid) > 0);
      long stuck = System.nanoTime();
      windowEnd = rows("SELECT renewed_at FROM leases") + SEND_WINDOW.toMillis(); // A's last renewal
      assertThat(store.terminateLivenessLockHolders()).as("A's liveness lock session, ended").isEqualTo(1);

      waitUntil("B takes the lease from A", LEASE.plusSeconds(5),
          () -> b.cluster().dispatcher().filter("gw-b"::equals).isPresent());
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stuck);
      System.out.println("cut off: the other instance holds the lease " + tookMillis + " ms after the dispatcher's"
          + " heartbeat got stuck");
      assertThat(tookMillis).as("taken from A before its lease could expire").isLessThan(LEASE.minus(HEARTBEAT).toMillis());
      test.rollback(); // A's heartbeat goes on; its renewal is refused
    }

    waitUntil("A follows, B dispatches", LEASE.plusSeconds(5), () -> {
      ClusterStatus cluster = b.cluster();
      return cluster.dispatcher().filter("gw-b"::equals).isPresent() && cluster.instances().stream()
          .anyMatch(i -> i.id().equals("gw-a") && i.role() == ClusterStatus.Role.FOLLOWER);
    });
    for (JobId id : ids) {
      Job done = awaitEnd(b, id);
      assertThat(done.state()).as("%s (%s)", id, done.error()).isEqualTo(JobState.SUCCEEDED);
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s POSTed once in all", id).isEqualTo(1);
    }
    assertThat(sentByA).as("prompts A sent before it was cut off").isNotEmpty();
    assertThat(sentByA).as("prompts A sent later than W after its last renewal").noneMatch(t -> t - windowEnd > 0);
    assertThat(sentByA.size()).as("prompts B sent").isLessThan(JOBS);
    assertThat(rows("SELECT count(*) FROM job_changes WHERE kind = '" + JobFeed.RETURNED + "' AND origin = 'gw-b'"))
        .as("hand-overs A recorded and held back, which B found not sent and sent").isPositive();
  }

  private long rows(String countSql) {
    return store.db().read("test", c -> {
      try (PreparedStatement count = c.prepareStatement(countSql); ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    });
  }

  /**
   * How many sessions wait for a lock that the session {@code pid} holds; asked on a connection of
   * its own (inside a transaction, pg_stat_activity would answer from the snapshot of its start).
   */
  private static int blockedBy(int pid) {
    try (Connection connection = DriverManager.getConnection(PostgresSchema.serverUrl());
        PreparedStatement count = connection.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
      count.setInt(1, pid);
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
