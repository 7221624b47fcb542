package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.WAIT;
import static io.comfygate.engine.EngineTests.params;
import static io.comfygate.engine.EngineTests.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.InvalidParamsException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.store.PageRequest;
import io.comfygate.testkit.FakeClock;
import io.comfygate.testkit.FakeComfyUi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Submits with an idempotency key, on the engine against FakeComfyUi and a real SQLite file: a
 * retry returns the first job, a different request under the key is refused, keys are per user,
 * concurrent retries create one job, and the key outlives a restart but not its retention.
 */
class IdempotentSubmitTest {

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(10)));

  /** The engine's timers still run in real time: only what it reads from the clock is shifted. */
  private final FakeClock clock = FakeClock.ticking();

  private JobEngine engine(Consumer<JobEngine.Builder> tweak) {
    return ENGINE.start(b -> tweak.accept(b.clock(clock)));
  }

  private JobEngine engine() {
    return engine(b -> { });
  }

  private static SubmitOptions key(String value) {
    return SubmitOptions.none().withIdempotencyKey(IdempotencyKey.of(value));
  }

  private static long jobsOf(JobEngine engine, String user) {
    return engine.list(user, new PageRequest(1, 100)).total();
  }

  @Test
  void aRetryReturnsTheFirstJobAsItIsNowAndCreatesNoOther() {
    JobEngine engine = engine();
    Submission first = engine.submit("alice", null, small("a fox"), key("order-1"));
    Job done = engine.await(first.job().id(), WAIT);

    Submission retry = engine.submit("alice", null, small("a fox"), key("order-1"));

    assertThat(first.replayed()).isFalse();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.job().id()).isEqualTo(first.job().id());
    assertThat(retry.job().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(retry.job().images()).isEqualTo(done.images());
    assertThat(jobsOf(engine, "alice")).isEqualTo(1);
  }

  @Test
  void theSameRequestWithKeysInAnotherOrderOrTheDefaultTemplateNamedIsARetry() {
    JobEngine engine = engine();
    Submission first = engine.submit("alice", null,
        params("{\"prompt\": \"a fox\", \"width\": 64, \"height\": 64, \"steps\": 2}"), key("k"));

    Submission retry = engine.submit("alice", "txt2img",
        params("{\"steps\": 2, \"height\": 64, \"width\": 64, \"prompt\": \"a fox\"}"), key("k"));

    assertThat(retry.replayed()).isTrue();
    assertThat(retry.job().id()).isEqualTo(first.job().id());
  }

  @Test
  void aDifferentRequestUnderTheKeyIsRefusedNamingTheKeyAndStoresNothing() {
    JobEngine engine = engine();
    JobId first = engine.submit("alice", null, small("a fox"), key("order-2")).job().id();

    assertThatThrownBy(() -> engine.submit("alice", null, small("a hound"), key("order-2")))
        .isInstanceOfSatisfying(IdempotencyKeyReusedException.class, e -> {
          assertThat(e.key()).isEqualTo("order-2");
          assertThat(e.jobId()).isEqualTo(first.value());
        })
        .hasMessageContaining("\"order-2\"");
    assertThat(jobsOf(engine, "alice")).isEqualTo(1);
  }

  @Test
  void keysArePerUser() {
    JobEngine engine = engine();
    JobId alices = engine.submit("alice", null, small("a fox"), key("shared")).job().id();
    Submission bobs = engine.submit("bob", null, small("a fox"), key("shared"));

    assertThat(bobs.replayed()).isFalse();
    assertThat(bobs.job().id()).isNotEqualTo(alices);
    assertThat(bobs.job().userId()).isEqualTo("bob");
  }

  @Test
  void submitsWithoutAKeyAreNeverDeduplicated() {
    JobEngine engine = engine();
    JobId first = engine.submit("alice", null, small("a fox")).id();
    engine.await(first, WAIT);
    JobId second = engine.submit("alice", null, small("a fox")).id();

    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void aRefusedSubmitDoesNotUseUpTheKey() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(300));
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(0, 1)));
    JobId running = engine.submit("alice", null, small("running"), key("busy")).job().id();
    assertThatThrownBy(() -> engine.submit("alice", null, small("later"), key("later")))
        .isInstanceOf(QuotaExceededException.class);
    assertThatThrownBy(() -> engine.submit("alice", null, params("{\"width\": 7}"), key("bad")))
        .isInstanceOf(InvalidParamsException.class);

    // Over the limit, a retry of the accepted submit still gets its job, not a 429.
    assertThat(engine.submit("alice", null, small("running"), key("busy")).job().id()).isEqualTo(running);
    engine.await(running, WAIT);

    Submission now = engine.submit("alice", null, small("later"), key("later"));
    assertThat(now.replayed()).isFalse();
    engine.await(now.job().id(), WAIT);
    assertThat(engine.submit("alice", null, params("{\"prompt\": \"fixed\"}"), key("bad")).replayed()).isFalse();
  }

  @Test
  void concurrentSubmitsWithOneKeyCreateOneJob() throws Exception {
    JobEngine engine = engine(b -> b.quota(new QuotaPolicy(20, 1)));
    int threads = 12;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Submission>> results = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          go.await(10, TimeUnit.SECONDS);
          return engine.submit("alice", null, small("once"), key("burst"));
        }));
      }
      go.countDown();
      Set<JobId> ids = new HashSet<>();
      int created = 0;
      for (Future<Submission> result : results) {
        Submission s = result.get(20, TimeUnit.SECONDS);
        ids.add(s.job().id());
        created += s.replayed() ? 0 : 1;
      }
      assertThat(ids).hasSize(1);
      assertThat(created).isEqualTo(1);
      assertThat(jobsOf(engine, "alice")).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aKeyOutlivesARestartOfTheEngine() {
    JobEngine before = engine();
    JobId first = before.submit("alice", null, small("a fox"), key("restart")).job().id();
    before.await(first, WAIT);
    before.close();

    JobEngine after = engine();
    Submission retry = after.submit("alice", null, small("a fox"), key("restart"));

    assertThat(retry.replayed()).isTrue();
    assertThat(retry.job().id()).isEqualTo(first);
    assertThat(jobsOf(after, "alice")).isEqualTo(1);
  }

  @Test
  void afterTheRetentionTheKeyIsFreeAgainAndPurgedAtStart() {
    JobEngine engine = engine(b -> b.idempotencyRetention(Duration.ofHours(24)));
    JobId first = engine.submit("alice", null, small("a fox"), key("daily")).job().id();
    engine.await(first, WAIT);
    engine.close();
    clock.advance(Duration.ofHours(25));

    JobEngine later = engine(b -> b.idempotencyRetention(Duration.ofHours(24)));
    EngineTests.waitUntil("the expired key purged at start", () -> storedKeys() == 0);
    Submission again = later.submit("alice", null, small("a fox"), key("daily"));

    assertThat(again.replayed()).isFalse();
    assertThat(again.job().id()).isNotEqualTo(first);
    assertThat(storedKeys()).isEqualTo(1);
  }

  /** Rows in the key table, read through a second connection to the engine's SQLite file. */
  private static long storedKeys() {
    try (io.comfygate.store.jdbc.Database db = io.comfygate.store.jdbc.Database.open(ENGINE.dir().resolve("db/app.db").toString())) {
      return db.read("test.keys", c -> {
        try (var rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM idempotency_keys")) {
          rows.next();
          return rows.getLong(1);
        }
      });
    }
  }
}
