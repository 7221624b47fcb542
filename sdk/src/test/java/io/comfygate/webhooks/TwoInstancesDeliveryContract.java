package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.auth.ApiKeys;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.ClaimedEvent;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoreContractSupport;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WebhookStore;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.store.jdbc.JdbcWebhookStore;
import io.comfygate.testkit.Await;
import io.comfygate.testkit.WebhookReceiver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two ComfyGate instances sending webhooks from one database: two {@link Webhooks} (each with its
 * own {@link Database} of the same data, as two processes open it, and its own owner id) deliver
 * to one real HTTP receiver on 127.0.0.1. Every event arrives exactly once and each job's events in
 * order, although both instances send at the same time; the claims of an instance that died are
 * taken over once their lease has passed.
 */
public abstract class TwoInstancesDeliveryContract {
  private static final List<String> LIFE = List.of("job.queued", "job.running", "job.failed");
  private static final int JOBS = 20;
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The database under test: fresh for each test. */
  protected abstract StoreContractSupport.Stores store();

  private final WebhookReceiver receiver = new WebhookReceiver();
  private final List<AutoCloseable> open = new ArrayList<>();
  private String keyId;

  @BeforeEach
  void start() {
    receiver.start();
    keyId = new ApiKeys(store().db().apiKeys(), Clock.systemUTC()).issue("ext", "farm", false).key().id();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    receiver.close();
  }

  @Test
  void twoInstancesSendEveryEventOnceAndEachJobsEventsInOrder() {
    List<JobId> jobs = writeJobs(store().db());
    receiver.holdRequests(); // both instances fill their senders with claims before anything is answered

    instance("instance-a", store().db());
    instance("instance-b", ownDatabase());

    Await.until("both instances holding a claim for each of their 4 senders", WAIT, () -> {
      Map<String, Long> claims = claimsByOwner();
      return claims.getOrDefault("instance-a", 0L) == 4 && claims.getOrDefault("instance-b", 0L) == 4;
    });
    receiver.release();

    Await.until("every event delivered", WAIT, () -> delivered() == JOBS * 3L);
    assertThat(receiver.hits()).as("each event sent once").hasSize(JOBS * 3)
        .extracting(WebhookReceiver.Hit::eventId).doesNotHaveDuplicates();
    for (JobId job : jobs) {
      assertThat(receiver.hits(job.value())).as("events of %s in arrival order", job)
          .extracting(WebhookReceiver.Hit::type).containsExactlyElementsOf(LIFE);
    }
  }

  @Test
  void theClaimsOfAnInstanceThatDiedAreTakenOverWhenTheirLeaseEnds() {
    List<JobId> jobs = writeJobs(store().db());
    Duration lease = Duration.ofMillis(1500);
    Instant claimedAt = Instant.now();
    List<ClaimedEvent> orphaned = new JdbcWebhookStore(store().db()).claimDue("died", claimedAt, lease, 100);
    assertThat(orphaned).as("the head of every job").hasSize(JOBS);

    instance("survivor", ownDatabase());

    Await.until("every event delivered", WAIT, () -> delivered() == JOBS * 3L);
    assertThat(receiver.hits()).hasSize(JOBS * 3);
    for (JobId job : jobs) {
      assertThat(receiver.hits(job.value())).extracting(WebhookReceiver.Hit::type).containsExactlyElementsOf(LIFE);
    }
    WebhookStore outbox = new JdbcWebhookStore(store().db());
    for (ClaimedEvent event : orphaned) {
      assertThat(outbox.find(event.eventId()).orElseThrow().deliveredAt())
          .as("%s sent only after the dead instance's claim ended", event.eventId())
          .isAfterOrEqualTo(claimedAt.plus(lease).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
  }

  /** A running instance's webhooks: 4 senders, quick retries, the receiver's 127.0.0.1 allowed. */
  private void instance(String owner, Database db) {
    open.add(Webhooks.builder(db).owner(owner).threads(4).timeout(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).allowedHosts(List.of("127.0.0.1")).build());
  }

  /** Another Database on the same data, closed after the test (after the webhooks on it). */
  private Database ownDatabase() {
    Database db = store().open();
    open.add(db);
    return db;
  }

  /** {@value #JOBS} jobs, each queued, running then failed: three events each, written as the engine writes them. */
  private List<JobId> writeJobs(Database db) {
    WebhookStore outbox = new JdbcWebhookStore(db);
    JobPayloads payloads = new JobPayloads("/api/");
    WebhookTarget target = new WebhookTarget(receiver.url(), keyId);
    JdbcJobStore store = new JdbcJobStore(db, (tx, id, state, at) -> {
      if (state == JobState.QUEUED) {
        outbox.subscribe(tx, id, target);
      }
      outbox.record(tx, id, state, at, payloads);
    });
    List<JobId> jobs = new ArrayList<>();
    Clock clock = Clock.systemUTC();
    for (int i = 0; i < JOBS; i++) {
      JobId id = JobId.generate(clock);
      store.insert(StoredJob.queued(id, "u" + i % 3, "txt2img", "{}", clock.instant()));
      store.transition(id, JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(clock.instant()));
      store.transition(id, JobState.RUNNING, JobState.FAILED,
          JobUpdate.none().withFinishedAt(clock.instant()).withError("test"));
      jobs.add(id);
    }
    return jobs;
  }

  private long delivered() {
    return new JdbcWebhookStore(store().db()).page(DeliveryState.DELIVERED, null, new PageRequest(1, 1)).total();
  }

  private Map<String, Long> claimsByOwner() {
    return store().db().read("test.claims", c -> {
      Map<String, Long> out = new HashMap<>();
      try (PreparedStatement select = c.prepareStatement(
          "SELECT claimed_by, COUNT(*) FROM webhook_events WHERE claimed_by IS NOT NULL GROUP BY claimed_by");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          out.put(rows.getString(1), rows.getLong(2));
        }
      }
      return out;
    });
  }
}
