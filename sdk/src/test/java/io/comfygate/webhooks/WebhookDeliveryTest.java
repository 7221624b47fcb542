package io.comfygate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.auth.ApiKeys;
import io.comfygate.auth.IssuedKey;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.engine.SubmitOptions;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredJob;
import io.comfygate.store.WebhookStore;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import io.comfygate.testkit.WebhookReceiver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end: the engine on a real SQLite file against FakeComfyUi, events delivered to a
 * real HTTP receiver on 127.0.0.1.
 */
class WebhookDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> LIFE = List.of("job.queued", "job.running", "job.succeeded");

  @RegisterExtension
  static final FakeComfyUiExtension COMFY = new FakeComfyUiExtension(
      FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(10)));

  @TempDir Path dir;
  private final WebhookReceiver receiver = new WebhookReceiver();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Database db;
  private Webhooks webhooks;
  private JobEngine engine;
  private IssuedKey key;
  private Duration idlePoll = Duration.ofSeconds(1);
  private final ClaimCounter claims = new ClaimCounter();

  @BeforeEach
  void start() {
    receiver.start();
    openAll(4, 1000);
    key = new ApiKeys(db.apiKeys(), Clock.systemUTC()).issue("ext", "render farm", false);
  }

  @AfterEach
  void stop() {
    closeAll();
    receiver.close();
  }

  /**
   * Database, outbox, engine, in that order (closed in reverse). Quick retries for the tests; the
   * receiver's 127.0.0.1 allowed, as an operator would.
   */
  private void openAll(int threads, int maxAttempts) {
    openAll(threads, maxAttempts, List.of("*", "127.0.0.1"));
  }

  private void openAll(int threads, int maxAttempts, List<String> allowedHosts) {
    db = Database.open(dir.resolve("db/app.db").toString());
    webhooks = Webhooks.builder(claims.wrap(db.webhooks())).backoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .idlePoll(idlePoll).timeout(Duration.ofSeconds(2)).threads(threads).maxAttempts(maxAttempts)
        .allowedHosts(allowedHosts).build();
    engine = JobEngine.builder().servers(List.of(COMFY.get().baseUrl())).database(db).webhooks(webhooks)
        .outputDir(dir.resolve("outputs")).probeInterval(Duration.ofMillis(200))
        .quota(new io.comfygate.queue.QuotaPolicy(10, 1))
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100))).build();
    open.add(db);
    open.add(webhooks);
    open.add(engine);
  }

  private void closeAll() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    open.clear();
  }

  private Job submit(String user) {
    return submit(user, receiver.url());
  }

  private Job submit(String user, URI url) {
    return engine.submit(user, null, small(), SubmitOptions.none().withWebhook(new WebhookTarget(url, key.key().id())))
        .job();
  }

  @Test
  void aReceiverWhoseNameResolvesToLoopbackIsNotCalledAndItsEventsFailAtOnce() {
    closeAll();
    openAll(4, 1000, List.of()); // the default: public receivers only
    // Built in code, so no policy checked the URL: the check before each attempt is what stops it.
    URI local = URI.create("http://localhost:" + receiver.url().getPort() + "/hook");
    Job job = submit("ext", local);

    waitUntil("all three given up", () -> deliveries(DeliveryState.FAILED, job.id().value()).size() == 3,
        () -> deliveries(null, job.id().value()));
    assertThat(deliveries(DeliveryState.FAILED, job.id().value())).allSatisfy(d -> {
      assertThat(d.attempts()).as("no retries").isEqualTo(1);
      assertThat(d.lastError()).contains("localhost resolves to").contains("loopback")
          .contains("WEBHOOK_ALLOWED_HOSTS");
    });
    assertThat(receiver.hits()).isEmpty();
  }

  @Test
  void aReceiverOnLoopbackIsCalledWhenTheOperatorAllowsItsName() {
    closeAll();
    openAll(4, 1000, List.of("localhost"));
    Job job = submit("ext", URI.create("http://localhost:" + receiver.url().getPort() + "/hook"));

    waitUntil("all events", () -> receiver.types(job.id().value()).size() == 3);
    assertThat(receiver.types(job.id().value())).isEqualTo(LIFE);
  }

  @Test
  void everyStateChangeArrivesSignedInOrderWithTheJobAsTheEventLeftIt() throws Exception {
    Job a = submit("ext");
    Job b = submit("ext");

    waitUntil("both jobs' events", () -> receiver.types(a.id().value()).size() == 3
        && receiver.types(b.id().value()).size() == 3);

    assertThat(receiver.types(a.id().value())).isEqualTo(LIFE);
    assertThat(receiver.types(b.id().value())).isEqualTo(LIFE);
    for (WebhookReceiver.Hit hit : receiver.hits()) {
      assertThat(WebhookSigner.verify(key.webhookSecret(), hit.signature(), hit.body(), Instant.now(), Duration.ofMinutes(5)))
          .as("signature of %s", hit.eventId()).isTrue();
      assertThat(hit.json().path("event_id").asText()).isEqualTo(hit.eventId());
      assertThat(hit.json().path("job").path("state").asText()).isEqualTo(hit.type().substring(4));
    }
    JsonNode done = receiver.hits().stream().filter(h -> h.jobId().equals(a.id().value()) && h.type().equals("job.succeeded"))
        .findFirst().orElseThrow().json().path("job");
    assertThat(done.path("images")).hasSize(1);
    assertThat(done.path("images").get(0).path("url").asText()).startsWith("/api/v1/images/").endsWith("/file");
    assertThat(done.path("params").path("prompt").asText()).isEqualTo("a cat");
    assertThat(done.path("finished_at").isTextual()).isTrue();
    waitUntil("the outbox to record the answers",
        () -> deliveries(DeliveryState.DELIVERED, a.id().value()).size() == 3);
    assertThat(deliveries(DeliveryState.DELIVERED, a.id().value()))
        .allSatisfy(d -> assertThat(d.attempts()).isEqualTo(1));
  }

  @Test
  void aReceiverThatIsDownForAWhileGetsEveryEventInOrderWhenItComesBack() {
    receiver.stop();
    Job job = submit("ext");
    awaitState(job, JobState.SUCCEEDED);
    waitUntil("a failed attempt recorded", () -> deliveries(DeliveryState.PENDING, job.id().value())
        .stream().anyMatch(d -> d.attempts() >= 2 && d.lastError() != null && d.lastError().equals("the receiver is not reachable: connection refused")));
    assertThat(deliveries(DeliveryState.PENDING, job.id().value()))
        .as("later events wait behind the first").hasSize(3)
        .filteredOn(d -> d.attempts() > 0).extracting(Delivery::type).containsExactly("job.queued");

    receiver.start();

    waitUntil("all events", () -> receiver.types(job.id().value()).size() == 3);
    assertThat(receiver.types(job.id().value())).isEqualTo(LIFE);
  }

  @Test
  void eventsPendingWhenEverythingIsClosedAreDeliveredAfterReopeningTheSameDatabase() {
    receiver.holdRequests(); // the first delivery is in flight, unanswered, when we close
    Job job = submit("ext");
    awaitState(job, JobState.SUCCEEDED);
    waitUntil("a delivery in flight", () -> !deliveries(DeliveryState.PENDING, null).isEmpty());
    receiver.stop(); // the held request is cut off; the close below does not wait for it forever

    closeAll();
    receiver.release();
    receiver.start();
    openAll(4, 1000);

    waitUntil("all events after the restart", () -> receiver.types(job.id().value()).size() == 3);
    assertThat(receiver.types(job.id().value())).as("in order, none lost").isEqualTo(LIFE);
    assertThat(receiver.hits().stream().map(WebhookReceiver.Hit::eventId).distinct())
        .as("an event sent twice (cut off, then again) carries the same event id").hasSize(3);
    // The receiver has it a moment before the outbox records the answer.
    waitUntil("the outbox to record the answers", () -> deliveries(DeliveryState.PENDING, null).isEmpty());
  }

  @Test
  void aReceiverThatDoesNotAnswerDoesNotHoldUpTheQueue() {
    receiver.holdRequests();
    closeAll();
    openAll(1, 1000); // one sender: everything else queues behind the held request
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(submit("user" + i));
    }

    for (Job job : jobs) {
      awaitState(job, JobState.SUCCEEDED);
    }
    assertThat(receiver.hits()).as("nothing answered yet: the jobs ran anyway").isEmpty();

    receiver.release();
    waitUntil("all events", () -> jobs.stream().allMatch(j -> receiver.types(j.id().value()).size() == 3));
    jobs.forEach(j -> assertThat(receiver.types(j.id().value())).isEqualTo(LIFE));
  }

  @Test
  void anEventGivenUpAfterItsAttemptsNoLongerHoldsBackTheJobsLaterEvents() {
    closeAll();
    openAll(4, 2);
    receiver.refuse("job.queued");
    Job job = submit("ext");

    waitUntil("the later events", () -> receiver.types(job.id().value()).size() == 2);
    assertThat(receiver.types(job.id().value())).containsExactly("job.running", "job.succeeded");
    assertThat(deliveries(DeliveryState.FAILED, job.id().value())).singleElement().satisfies(d -> {
      assertThat(d.type()).isEqualTo("job.queued");
      assertThat(d.attempts()).isEqualTo(2);
      assertThat(d.lastStatus()).isEqualTo(500);
      assertThat(d.lastError()).contains("HTTP 500");
      assertThat(d.nextAttemptAt()).isNull();
    });
  }

  @Test
  void eventsOfARevokedKeyAreGivenUpAtOnceAndNotSent() {
    receiver.holdRequests(); // nothing is answered until the key is revoked
    Job job = submit("ext");
    awaitState(job, JobState.SUCCEEDED);
    new ApiKeys(db.apiKeys(), Clock.systemUTC()).revoke(key.key().id());
    receiver.stop();
    receiver.release();

    waitUntil("all three given up", () -> deliveries(DeliveryState.FAILED, job.id().value()).size() == 3);
    assertThat(deliveries(DeliveryState.FAILED, job.id().value()))
        .allSatisfy(d -> assertThat(d.lastError()).contains("revoked"));
  }

  @Test
  void aJobWithoutAWebhookWritesNoEventsAndKeysResolveTheirDefault() {
    Job plain = engine.submit("ext", null, small());
    awaitState(plain, JobState.SUCCEEDED);
    assertThat(deliveries(null, plain.id().value())).isEmpty();

    assertThat(webhooks.resolve(key.key().id(), null)).isEmpty();
    new ApiKeys(db.apiKeys(), Clock.systemUTC()).setWebhookUrl(key.key().id(), URI.create("https://hooks.example.com/x"));
    assertThat(webhooks.resolve(key.key().id(), null)).contains(
        new WebhookTarget(URI.create("https://hooks.example.com/x"), key.key().id()));
    assertThat(webhooks.resolve(key.key().id(), "http://127.0.0.1:1/y").orElseThrow().url().getPort()).isEqualTo(1);
    assertThatThrownBy(() -> webhooks.resolve(null, "https://hooks.example.com/x")).hasMessageContaining("API key");
    assertThatThrownBy(() -> webhooks.resolve(key.key().id(), "gopher://x")).hasMessageContaining("http");

    String id = key.key().id();
    assertThat(webhooks.resolve(id, "https://hooks.example.com/known", null)).as("the default the caller verified")
        .contains(new WebhookTarget(URI.create("https://hooks.example.com/known"), id));
    assertThat(webhooks.resolve(id, null, null)).as("a key with no default").isEmpty();
    assertThat(webhooks.resolve(id, "https://hooks.example.com/known", "http://127.0.0.1:1/y").orElseThrow().url()
        .getPort()).as("the job's own URL first").isEqualTo(1);
    assertThatThrownBy(() -> webhooks.resolve(null, null, "https://hooks.example.com/x")).hasMessageContaining("API key");
  }

  @Test
  void eachCommittedEventWakesTheDelivererAndJobsWithoutAWebhookDoNot() {
    closeAll();
    idlePoll = Duration.ofMinutes(1); // events that arrive at all arrive because their commit woke the deliverer
    openAll(4, 1000);

    for (int i = 0; i < 3; i++) {
      Job job = submit("ext");
      waitUntil("the events of job " + i, () -> receiver.types(job.id().value()).size() == 3,
          () -> receiver.types(job.id().value()));
      assertThat(receiver.types(job.id().value())).isEqualTo(LIFE);
    }

    long looks = claims.count();
    for (int i = 0; i < 10; i++) {
      awaitState(engine.submit("ext", null, small()), JobState.SUCCEEDED);
    }
    assertThat(claims.count() - looks).as("looks at the outbox for 10 jobs (30 changes) without a webhook")
        .isLessThanOrEqualTo(2);
  }

  @Test
  void aJobWhoseInsertRunsTwiceKeepsItsSubscription() {
    // The group commit runs a batch again, each write in a savepoint, when one write fails: the
    // store's hook then sees the same insert twice, the first time rolled back.
    JobId id = JobId.generate(Clock.systemUTC());
    Instant now = Instant.now();
    webhooks.expect(id, new WebhookTarget(receiver.url(), key.key().id()));
    assertThatThrownBy(() -> db.inTransaction("test.first_run", c -> {
      try (var insert = c.prepareStatement("INSERT INTO jobs (id, user_id, template, params, state, prompt_id,"
          + " created_at) VALUES (?, 'ext', 'txt2img', '{}', 'queued', ?, ?)")) {
        insert.setString(1, id.value());
        insert.setString(2, id.promptId());
        insert.setLong(3, now.toEpochMilli());
        insert.executeUpdate();
      }
      webhooks.storeHook().changed(c, id, JobState.QUEUED, now);
      throw new IllegalStateException("another write of the batch failed");
    })).hasMessageContaining("another write");

    JdbcJobStore store = new JdbcJobStore(db, webhooks.storeHook());
    store.insert(StoredJob.queued(id, "ext", "txt2img", "{}", now));
    webhooks.subscribed(id);
    store.transition(id, JobState.QUEUED, JobState.CANCELLED, JobUpdate.none().withFinishedAt(now));

    assertThat(deliveries(null, id.value())).as("the job's events after its second run").hasSize(2);
  }

  /** Counts the deliverer's looks at the outbox ({@link WebhookStore#claimDue}) on the real store. */
  private static final class ClaimCounter {
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    WebhookStore wrap(WebhookStore store) {
      return (WebhookStore) java.lang.reflect.Proxy.newProxyInstance(WebhookStore.class.getClassLoader(),
          new Class<?>[] {WebhookStore.class}, (proxy, method, args) -> {
            if (method.getName().equals("claimDue")) {
              calls.incrementAndGet();
            }
            try {
              return method.invoke(store, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    long count() {
      return calls.get();
    }
  }

  @Test
  void anEventIsRedeliveredOnRequestWithTheSameId() {
    Job job = submit("ext");
    waitUntil("all events", () -> receiver.types(job.id().value()).size() == 3);
    Delivery first = deliveries(null, job.id().value()).get(2);
    assertThat(first.type()).isEqualTo("job.queued");

    assertThat(webhooks.redeliver(first.eventId())).isTrue();

    waitUntil("the repeat", () -> receiver.hits().size() == 4);
    assertThat(receiver.hits().get(3).eventId()).isEqualTo(first.eventId());
    assertThatThrownBy(() -> webhooks.redeliver("e-none")).isInstanceOf(java.util.NoSuchElementException.class);
  }

  /** The outbox's events for these filters, newest first (tests here make far fewer than a page). */
  private List<Delivery> deliveries(DeliveryState state, String jobId) {
    return webhooks.deliveries(state, jobId, new PageRequest(1, 100)).items();
  }

  private void awaitState(Job job, JobState state) {
    waitUntil(job.id() + " " + state, () -> engine.find(job.id()).map(j -> j.state() == state).orElse(false));
  }

  private static JsonNode small() {
    try {
      return JSON.readTree("{\"prompt\": \"a cat\", \"width\": 64, \"height\": 64, \"steps\": 2}");
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    waitUntil(what, condition, () -> "");
  }

  private static void waitUntil(String what, BooleanSupplier condition, java.util.function.Supplier<Object> seen) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; seen: " + seen.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
