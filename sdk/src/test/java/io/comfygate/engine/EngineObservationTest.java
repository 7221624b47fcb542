package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.testkit.FakeComfyUi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read-only views metrics are built on: queue depth per user and per backend, the timing of
 * each hand-over to ComfyUI, and the last health round. Against FakeComfyUi on a real SQLite file.
 */
class EngineObservationTest {

  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(4).stepDelay(Duration.ofMillis(20)));

  private static JobEngine engine() {
    return ENGINE.start(b -> b.quota(new QuotaPolicy(3, 1)));
  }

  private static String backendName() {
    return ENGINE.comfy().baseUrl().getAuthority();
  }

  @Test
  void queueDepthCountsWaitingJobsPerUserAndEachBackendsQueuedAndRunningJobs() {
    ENGINE.comfy().slowNodes(Duration.ofSeconds(3)); // the first job keeps running while we look
    JobEngine engine = engine();
    assertThat(engine.queueDepth().waitingByUser()).isEmpty();
    assertThat(engine.queueDepth().backends())
        .containsExactly(new QueueDepth.BackendLoad(backendName(), true, 0, 0));

    engine.submit("alice", null, small("a1"));
    JobId a2 = engine.submit("alice", null, small("a2")).id();
    JobId a3 = engine.submit("alice", null, small("a3")).id();
    engine.submit("bob", null, small("b1"));
    waitUntil("one job running on ComfyUI", () -> engine.queueDepth().backends().get(0).running() == 1);

    QueueDepth depth = engine.queueDepth();
    assertThat(depth.waitingByUser()).as("alice may run one at a time: two of hers wait").isEqualTo(Map.of("alice", 2));
    assertThat(depth.totalWaiting()).isEqualTo(2);
    assertThat(depth.backends()).containsExactly(new QueueDepth.BackendLoad(backendName(), true, 1, 1));

    engine.cancel(a2, "alice");
    assertThat(engine.queueDepth().waitingByUser()).isEqualTo(Map.of("alice", 1));
    engine.cancel(a3, "alice");
    assertThat(engine.queueDepth().waitingByUser()).as("a user with nothing waiting is not listed").isEmpty();
  }

  @Test
  void everyJobComfyUiAcceptsIsTimedOnceAndAJobCancelledWhileWaitingIsNot() {
    ENGINE.comfy().slowNodes(Duration.ofSeconds(3));
    JobEngine engine = engine();
    List<DispatchTiming> timings = new CopyOnWriteArrayList<>();
    engine.addDispatchListener(timings::add);

    JobId first = engine.submit("alice", null, small("first")).id();
    JobId waiting = engine.submit("alice", null, small("waits")).id();
    waitUntil("the first job's dispatch timing", () -> !timings.isEmpty());
    engine.cancel(waiting, "alice");
    engine.close(); // delivers what was emitted, then stops

    assertThat(timings).hasSize(1);
    DispatchTiming timing = timings.get(0);
    assertThat(timing.jobId()).isEqualTo(first);
    assertThat(timing.userId()).isEqualTo("alice");
    assertThat(timing.template()).isEqualTo("txt2img");
    assertThat(timing.backend()).isEqualTo(backendName());
    assertThat(timing.request()).isPositive();
    assertThat(timing.sinceSubmit().isNegative()).as("since submit %s", timing.sinceSubmit()).isFalse();
  }

  @Test
  void aSubscriptionStopsTheTimingsAndTheLastHealthRoundIsThereWithoutRunningChecks() {
    JobEngine engine = engine();
    List<DispatchTiming> timings = new CopyOnWriteArrayList<>();
    engine.addDispatchListener(timings::add).close();

    engine.submit("alice", null, small("unobserved"));
    assertThat(engine.lastHealth()).hasValueSatisfying(report -> {
      assertThat(report.ok()).isTrue();
      assertThat(report.check(BackendHealth.CHECK_PREFIX + backendName())).isPresent();
    });
    engine.close();
    assertThat(timings).isEmpty();
  }
}
