package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.promptPosts;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backends that misbehave without being plainly down: a WebSocket that goes silent while HTTP
 * answers, HTTP slower than the read timeout, and one of two backends stopped. No job may be left
 * hanging, each failure names its reason, {@link JobEngine#backends()} shows the backend's health
 * and service resumes by itself.
 */
class BackendFaultsTest {
  /** Short enough to keep the test quick, long enough for a busy 2-core CI machine. */
  private static final Duration READ_TIMEOUT = Duration.ofMillis(1500);

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  @RegisterExtension
  static final FakeComfyUiExtension OTHER = new FakeComfyUiExtension(
      FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  private static JobEngine engine(List<URI> servers, Consumer<JobEngine.Builder> tweak) {
    return ENGINE.start(b -> tweak.accept(b.servers(servers)
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100)).readTimeout(READ_TIMEOUT))));
  }

  private static String name(FakeComfyUi fake) {
    return fake.baseUrl().getAuthority();
  }

  private static JobEngine.BackendStatus backend(JobEngine engine, FakeComfyUi fake) {
    return engine.backends().stream().filter(b -> b.name().equals(name(fake))).findFirst().orElseThrow();
  }

  @Test
  void aJobCompletesThroughTheHistoryPollWhenTheWebSocketGoesSilent() {
    ENGINE.comfy().muteWebSockets(true);
    JobEngine engine = engine(List.of(ENGINE.comfy().baseUrl()), b -> { });

    JobId id = engine.submit("alice", null, small("silent")).id();
    Job done = awaitState(engine, id, JobState.SUCCEEDED);

    assertThat(done.images()).hasSize(1);
    assertThat(engine.outputDir().resolve(done.images().get(0).file())).exists();
    assertThat(done.startedAt()).as("start recorded though never announced").isNotNull();
    assertThat(ENGINE.comfy().requests()).as("found through /history")
        .anySatisfy(r -> assertThat(r.path()).endsWith("/history/" + id.promptId()));
    assertThat(promptPosts(ENGINE.comfy(), id.promptId())).isEqualTo(1);
    assertThat(engine.backends()).singleElement().satisfies(b -> assertThat(b.healthy()).isTrue());
  }

  @Test
  void aBackendSlowerThanTheReadTimeoutIsMarkedDownItsJobsFailAndItComesBackByItself() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(300));
    JobEngine engine = engine(List.of(ENGINE.comfy().baseUrl()), b -> b.quota(new QuotaPolicy(3, 1)));
    JobId running = engine.submit("alice", null, small("running")).id();
    JobId handedOver = engine.submit("bob", null, small("handed over")).id();
    JobId waiting = engine.submit("carol", null, small("waiting")).id();
    // Freeze ComfyUI with one prompt running and one queued, so nothing ends before the fault.
    waitUntil("one running and one queued on ComfyUI",
        () -> ENGINE.comfy().queueRunningCount() == 1 && ENGINE.comfy().queuePendingCount() == 1);
    ENGINE.comfy().hang(true);
    assertThat(engine.waitingJobs()).extracting(Job::id).containsExactly(waiting);

    ENGINE.comfy().httpDelay(READ_TIMEOUT.multipliedBy(4));

    waitUntil("backend marked down", () -> !engine.backends().get(0).healthy());
    assertThat(engine.backends().get(0).reason()).as("health reason").contains("did not answer");
    for (JobId id : List.of(running, handedOver)) {
      Job failed = awaitState(engine, id, JobState.FAILED);
      assertThat(failed.error()).as("reason of %s", id).contains("ComfyUI at " + name(ENGINE.comfy())).contains("went down");
    }
    assertThatThrownBy(() -> engine.submit("dave", null, small("refused")))
        .isInstanceOf(ServiceUnavailableException.class)
        .hasMessageContaining(name(ENGINE.comfy()));
    assertThat(engine.find(waiting).orElseThrow().state()).as("not yet handed over: keeps waiting")
        .isEqualTo(JobState.QUEUED);

    ENGINE.comfy().httpDelay(Duration.ZERO); // answers again; still frozen, so both prompts stay put

    waitUntil("backend healthy again", () -> engine.backends().get(0).healthy());
    // The failed jobs' prompts are taken off ComfyUI: nobody waits for them any more.
    waitUntil("orphaned prompt deleted from ComfyUI's queue", () -> ENGINE.comfy().requests().stream()
        .anyMatch(r -> r.path().endsWith("/queue") && r.body().contains("delete") && r.body().contains(handedOver.promptId())));
    waitUntil("the running orphan interrupted", () -> ENGINE.comfy().requests().stream()
        .anyMatch(r -> r.path().endsWith("/interrupt") && r.body().contains(running.promptId())));
    ENGINE.comfy().clearFaults(); // unfreeze
    assertThat(awaitState(engine, waiting, JobState.SUCCEEDED).images()).hasSize(1);
    JobId after = engine.submit("dave", null, small("after")).id();
    assertThat(awaitState(engine, after, JobState.SUCCEEDED).images()).hasSize(1);
  }

  @Test
  void withOneOfTwoBackendsStoppedJobsGoToTheHealthyOne() {
    OTHER.get().stop();
    JobEngine engine = engine(List.of(ENGINE.comfy().baseUrl(), OTHER.get().baseUrl()), b -> b.quota(new QuotaPolicy(3, 3)));
    assertThat(backend(engine, OTHER.get()).healthy()).isFalse();
    assertThat(backend(engine, OTHER.get()).reason()).isNotBlank();
    assertThat(backend(engine, ENGINE.comfy()).healthy()).isTrue();

    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(engine.submit("user" + i, null, small("one up " + i)).id());
    }
    for (JobId id : ids) {
      Job done = awaitState(engine, id, JobState.SUCCEEDED);
      assertThat(done.backend()).as("%s ran on", id).isEqualTo(name(ENGINE.comfy()));
      assertThat(promptPosts(ENGINE.comfy(), id.promptId())).isEqualTo(1);
    }
    assertThat(backend(engine, OTHER.get()).healthy()).as("still down").isFalse();
  }

  @Test
  void dispatchHandsEachJobToTheBackendWithTheLeastWork() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(200));
    OTHER.get().slowNodes(Duration.ofMillis(200));
    JobEngine engine = engine(List.of(ENGINE.comfy().baseUrl(), OTHER.get().baseUrl()), b -> b.quota(new QuotaPolicy(3, 1)));

    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(engine.submit("user" + i, null, small("spread " + i)).id());
    }
    // Four slots in all, taken alternately: two jobs on each backend, two waiting.
    assertThat(engine.backends()).allSatisfy(b -> assertThat(b.jobs()).as("jobs on %s", b.name()).hasSize(2));
    assertThat(engine.waitingJobs()).hasSize(2);

    Map<String, Integer> perBackend = new HashMap<>();
    for (JobId id : ids) {
      Job done = awaitState(engine, id, JobState.SUCCEEDED);
      perBackend.merge(done.backend(), 1, Integer::sum);
      FakeComfyUi ranOn = done.backend().equals(name(ENGINE.comfy())) ? ENGINE.comfy() : OTHER.get();
      assertThat(promptPosts(ranOn, id.promptId())).as("%s sent to the backend it ran on, once", id).isEqualTo(1);
    }
    assertThat(perBackend).containsOnlyKeys(name(ENGINE.comfy()), name(OTHER.get()));
    assertThat(perBackend.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2));
  }
}
