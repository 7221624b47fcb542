package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitEnd;
import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.promptPosts;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.errors.QuotaExceededException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PostgresSchema;
import io.comfygate.store.jdbc.Database;
import io.comfygate.testkit.FakeComfyUi;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two engines on one PostgreSQL schema and one output folder, as two ComfyGate instances behind a
 * load balancer, against one simulated ComfyUI: one dispatches (the lease holder), both accept
 * submits and cancels, and each one's listeners see every job's events in order.
 */
class ClusterEngineTest {
  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final int USERS = 5;
  private static final int JOBS_PER_USER = 6;

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(10)));

  @RegisterExtension final PostgresSchema store = new PostgresSchema();

  private JobEngine instance(String id, QuotaPolicy quota) {
    Database db = ENGINE.own(Database.builder(store.url()).poolSize(8).build());
    return ENGINE.start(b -> b.database(db).quota(quota).cluster(id, HEARTBEAT, LEASE));
  }

  /** Each job's event names, in the order a listener received them. */
  private static Map<JobId, List<String>> recordEvents(JobEngine engine) {
    Map<JobId, List<String>> events = new ConcurrentHashMap<>();
    engine.addListener(e -> events.computeIfAbsent(e.job().id(), id -> Collections.synchronizedList(new ArrayList<>()))
        .add(e.name()));
    return events;
  }

  @Test
  void twoInstancesShareOneQueueEachJobEndsOnceAndEveryListenerSeesEveryJobInOrder() throws Exception {
    QuotaPolicy quota = new QuotaPolicy(3, 1);
    JobEngine a = instance("gw-a", quota);
    JobEngine b = instance("gw-b", quota);
    ClusterStatus cluster = b.cluster();
    assertThat(cluster.shared()).isTrue();
    assertThat(cluster.dispatcher()).contains("gw-a");
    assertThat(cluster.instances()).extracting(ClusterStatus.Instance::id).containsExactlyInAnyOrder("gw-a", "gw-b");
    assertThat(cluster.instances()).filteredOn(i -> i.id().equals("gw-b")).extracting(ClusterStatus.Instance::role)
        .containsExactly(ClusterStatus.Role.FOLLOWER);
    Map<JobId, List<String>> seenByA = recordEvents(a);
    Map<JobId, List<String>> seenByB = recordEvents(b);
    LimitSampler limits = new LimitSampler(a);
    Thread sampler = new Thread(limits, "limit-sampler");
    sampler.start();

    // Each user submits through both instances at once; refusals (the waiting limit) are retried.
    ExecutorService users = Executors.newFixedThreadPool(USERS * 2);
    List<Future<List<JobId>>> submitted = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      for (JobEngine via : List.of(a, b)) {
        String user = "user" + u;
        submitted.add(users.submit(() -> submitAll(via, user, JOBS_PER_USER / 2)));
      }
    }
    List<JobId> ids = new ArrayList<>();
    for (Future<List<JobId>> f : submitted) {
      ids.addAll(f.get(60, TimeUnit.SECONDS));
    }
    users.shutdown();

    for (JobId id : ids) {
      assertThat(awaitEnd(a, id).state()).as("%s on the dispatcher", id).isEqualTo(JobState.SUCCEEDED);
      Job onB = awaitEnd(b, id);
      assertThat(onB.state()).as("%s on the follower", id).isEqualTo(JobState.SUCCEEDED);
      assertThat(onB.images()).hasSize(1);
      assertThat(b.outputDir().resolve(onB.images().get(0).file())).exists();
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s POSTed once", id).isEqualTo(1);
    }
    limits.stop.set(true);
    sampler.join(5_000);
    assertThat(limits.failure).as("limit sampler").isNull();
    assertThat(limits.rounds.get()).isPositive();
    // A job being handed over has no backend in its row yet, and the waiting limit does not count it.
    assertThat(limits.maxWaiting.get()).as("most waiting jobs of one user at any instant (3 + 1 being handed over)")
        .isLessThanOrEqualTo(4);
    assertThat(limits.maxOnBackend.get()).as("most jobs of one user on the backend at any instant, as the dispatcher"
        + " holds them (a finished job's slot is given back before its images are stored)").isEqualTo(1);

    String inOrder = "enqueue( job_start( job_progress)* job_complete)";
    for (JobId id : ids) {
      waitUntil(id + " complete on both listeners", () -> seenByA.getOrDefault(id, List.of()).contains("job_complete")
          && seenByB.getOrDefault(id, List.of()).contains("job_complete"));
      assertThat(String.join(" ", seenByA.get(id))).as("events of %s on A", id).matches(inOrder);
      assertThat(String.join(" ", seenByB.get(id))).as("events of %s on B", id).matches(inOrder);
    }
    assertThat(seenByB.values()).as("progress of A's prompts reached B").anyMatch(l -> l.contains("job_progress"));
    assertThat(rows("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'")).isEqualTo(ids.size());
  }

  @Test
  void aCancelOnTheFollowerEndsAWaitingJobAtOnceAndARunningOneThroughTheDispatcher() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(400));
    JobEngine a = instance("gw-a", new QuotaPolicy(3, 1));
    JobEngine b = instance("gw-b", new QuotaPolicy(3, 1));
    JobId running = a.submit("alice", null, small("runs")).id();
    JobId waiting = a.submit("alice", null, small("waits")).id();
    awaitState(b, running, JobState.RUNNING);
    waitUntil("the follower shows the waiting job first in line", () -> b.find(waiting).map(Job::position).orElse(0) == 1);
    assertThat(b.find(running).orElseThrow().backend()).as("the follower knows where it runs")
        .isEqualTo(ENGINE.comfy().baseUrl().getAuthority());
    assertThat(b.waitingJobs()).extracting(Job::id).containsExactly(waiting);

    assertThat(b.cancel(waiting, "alice").state()).isEqualTo(JobState.CANCELLED);
    b.cancel(running, "alice");

    assertThat(awaitEnd(a, running).state()).isEqualTo(JobState.CANCELLED);
    assertThat(awaitEnd(b, running).state()).isEqualTo(JobState.CANCELLED);
    assertThat(awaitEnd(a, waiting).state()).isEqualTo(JobState.CANCELLED);
    assertThat(promptPosts(ENGINE.comfy(), waiting.promptId())).as("the cancelled waiting job was never sent").isZero();
    assertThat(ENGINE.comfy().requests()).as("the dispatcher interrupted the running prompt")
        .anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/interrupt"));
  }

  @Test
  void aCleanStopOfTheDispatcherHandsOverAtOnceAndNothingFails() throws Exception {
    ENGINE.comfy().slowNodes(Duration.ofMillis(60));
    JobEngine a = instance("gw-a", new QuotaPolicy(10, 1));
    JobEngine b = instance("gw-b", new QuotaPolicy(10, 1));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add((i % 2 == 0 ? a : b).submit("user" + (i % 3), null, small("rolling " + i)).id());
    }
    awaitState(b, ids.get(0), JobState.RUNNING);

    long stopped = System.nanoTime();
    a.close();
    waitUntil("B takes over", Duration.ofSeconds(5), () -> b.cluster().dispatcher().filter("gw-b"::equals).isPresent());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
    System.out.println("clean stop: the follower dispatches " + tookMillis + " ms after the dispatcher closed");
    assertThat(tookMillis).as("take-over after a clean stop, well within the lease").isLessThan(LEASE.toMillis());

    for (JobId id : ids) {
      Job done = awaitEnd(b, id);
      assertThat(done.state()).as("%s (%s)", id, done.error()).isEqualTo(JobState.SUCCEEDED);
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).as("%s POSTed once", id).isEqualTo(1);
    }
    ClusterStatus cluster = b.cluster();
    assertThat(cluster.instances()).filteredOn(i -> i.id().equals("gw-a")).singleElement()
        .satisfies(i -> assertThat(i.stopped()).isTrue());
  }

  private List<JobId> submitAll(JobEngine via, String user, int count) throws InterruptedException {
    List<JobId> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    while (out.size() < count) {
      try {
        out.add(via.submit(user, null, small(user + " " + out.size())).id());
      } catch (QuotaExceededException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(user + " could not submit within 45 s", e);
        }
        Thread.sleep(20);
      }
    }
    return out;
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
   * Reads, again and again, each user's waiting jobs in the store (one snapshot each) and each
   * user's jobs in the dispatcher's backend slots.
   */
  private final class LimitSampler implements Runnable {
    final JobEngine dispatcher;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger maxWaiting = new AtomicInteger();
    final AtomicInteger maxOnBackend = new AtomicInteger();
    final AtomicInteger rounds = new AtomicInteger();
    volatile Throwable failure;

    LimitSampler(JobEngine dispatcher) {
      this.dispatcher = dispatcher;
    }

    @Override
    public void run() {
      try {
        while (!stop.get()) {
          store.db().read("sample", c -> {
            try (PreparedStatement select = c.prepareStatement("""
                SELECT user_id, SUM(CASE WHEN state = 'queued' AND backend IS NULL THEN 1 ELSE 0 END)
                  FROM jobs GROUP BY user_id""");
                ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                maxWaiting.accumulateAndGet(rows.getInt(2), Math::max);
              }
            }
            return null;
          });
          Map<String, Integer> onBackend = new java.util.HashMap<>();
          for (JobEngine.BackendStatus backend : dispatcher.backends()) {
            for (Job job : backend.jobs()) {
              onBackend.merge(job.userId(), 1, Integer::sum);
            }
          }
          onBackend.values().forEach(n -> maxOnBackend.accumulateAndGet(n, Math::max));
          rounds.incrementAndGet();
          Thread.sleep(5);
        }
      } catch (Throwable t) {
        failure = t;
      }
    }
  }
}
