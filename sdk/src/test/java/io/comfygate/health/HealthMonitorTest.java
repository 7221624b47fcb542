package io.comfygate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.testkit.Await;
import io.comfygate.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  private static final Duration SECONDS_3 = Duration.ofSeconds(3);

  private final FakeClock clock = FakeClock.at(Instant.parse("2025-01-01T00:00:00Z"));
  /** Released after each test so no check thread outlives it. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger hangingCalls = new AtomicInteger();
  private final AtomicInteger interrupted = new AtomicInteger();
  private HealthMonitor monitor;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (monitor != null) {
      monitor.close();
    }
  }

  private HealthCheck hanging(String name, Duration timeout) {
    return Checks.of(name, timeout, () -> {
      hangingCalls.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        throw e;
      }
      return "released";
    });
  }

  private static HealthCheck up(String name) {
    return Checks.of(name, SECONDS_3, () -> "fine");
  }

  @Test
  void aHangingBackendDoesNotDelayThePrecheckBeyondItsBudget() {
    monitor = HealthMonitor.builder().clock(clock)
        .add(hanging("comfyui:127.0.0.1:8188", SECONDS_3)).add(up("database")).build();

    long start = System.nanoTime();
    HealthReport report = monitor.precheck(Duration.ofSeconds(5), Duration.ofMillis(1500));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isLessThan(Duration.ofMillis(2500));
    assertThat(report.ok()).isFalse();
    CheckResult comfy = report.check("comfyui:127.0.0.1:8188").orElseThrow();
    assertThat(comfy.status()).isEqualTo(Status.DOWN);
    assertThat(comfy.reason()).isEqualTo("no answer within 1.5 s");
    assertThat(report.check("database").orElseThrow().status()).isEqualTo(Status.UP);
    assertThat(report.summary()).isEqualTo("FAIL: no answer within 1.5 s");
  }

  @Test
  void aFullRoundGivesAHangingCheckItsOwnTimeoutThenInterruptsIt() throws Exception {
    monitor = HealthMonitor.builder().add(hanging("slow", Duration.ofMillis(200))).build();

    HealthReport report = monitor.check();

    assertThat(report.check("slow").orElseThrow().reason()).isEqualTo("no answer within 200 ms");
    assertThat(report.check("slow").orElseThrow().latency()).isEqualTo(Duration.ofMillis(200));
    awaitTrue(() -> interrupted.get() == 1);
  }

  @Test
  void callersShareOneRunOfAHangingCheck() {
    monitor = HealthMonitor.builder().clock(clock).add(hanging("slow", SECONDS_3)).build();

    monitor.precheck(Duration.ZERO, Duration.ofMillis(100));
    clock.advance(Duration.ofSeconds(1));
    HealthReport second = monitor.precheck(Duration.ZERO, Duration.ofMillis(100));

    assertThat(hangingCalls).hasValue(1);
    assertThat(second.check("slow").orElseThrow().reason()).isEqualTo("no answer within 100 ms");
  }

  @Test
  void theVerdictFailsIffACheckIsDownAndNamesTheReason() {
    monitor = HealthMonitor.builder()
        .add(up("database"))
        .add(Checks.of("comfyui:127.0.0.1:8188", SECONDS_3, () -> {
          throw new IllegalStateException("ComfyUI at http://127.0.0.1:8188 is not reachable: connection refused");
        }))
        .add(Checks.of("nameless", SECONDS_3, () -> {
          throw new java.io.IOException();
        }))
        .build();

    HealthReport report = monitor.check();

    assertThat(report.ok()).isFalse();
    assertThat(report.verdict()).isEqualTo("FAIL");
    assertThat(report.failures()).extracting(CheckResult::name).containsExactly("comfyui:127.0.0.1:8188", "nameless");
    assertThat(report.summary())
        .isEqualTo("FAIL: ComfyUI at http://127.0.0.1:8188 is not reachable: connection refused; IOException");
    assertThat(report.check("database").orElseThrow().reason()).isEqualTo("fine");
  }

  @Test
  void disabledChecksDoNotFailTheVerdict() {
    monitor = HealthMonitor.builder().add(up("database"))
        .add(Checks.disabled("llm", "LLM disabled (LLM_BASE_URL not set)")).build();

    HealthReport report = monitor.check();

    assertThat(report.ok()).isTrue();
    assertThat(report.summary()).isEqualTo("OK");
    assertThat(report.check("llm").orElseThrow().status()).isEqualTo(Status.DISABLED);
  }

  @Test
  void precheckServesTheCachedReportWhileFreshThenChecksAgain() {
    AtomicInteger calls = new AtomicInteger();
    monitor = HealthMonitor.builder().clock(clock)
        .add(Checks.of("counted", SECONDS_3, () -> "call " + calls.incrementAndGet())).build();
    assertThat(monitor.cached()).isEmpty();

    HealthReport first = monitor.precheck(Duration.ofSeconds(5), Duration.ofMillis(1500));
    clock.advance(Duration.ofSeconds(5));
    HealthReport reused = monitor.precheck(Duration.ofSeconds(5), Duration.ofMillis(1500));
    clock.advance(Duration.ofMillis(1));
    HealthReport fresh = monitor.precheck(Duration.ofSeconds(5), Duration.ofMillis(1500));

    assertThat(reused).isSameAs(first);
    assertThat(fresh.checkedAt()).isEqualTo(first.checkedAt().plusMillis(5001));
    assertThat(fresh.check("counted").orElseThrow().reason()).isEqualTo("call 2");
    assertThat(monitor.cached()).contains(fresh);
  }

  @Test
  void listenersHearEachChangeOnceAndNeverFromPrechecks() {
    AtomicReference<String> failure = new AtomicReference<>();
    List<HealthChange> changes = new CopyOnWriteArrayList<>();
    monitor = HealthMonitor.builder().clock(clock).listener(changes::add)
        .add(Checks.of("backend", SECONDS_3, () -> {
          String why = failure.get();
          if (why != null) {
            throw new IllegalStateException(why);
          }
          return "up";
        })).build();

    monitor.check();
    assertThat(changes).isEmpty(); // presumed UP, found UP

    failure.set("connection refused");
    monitor.precheck(Duration.ZERO, Duration.ofSeconds(1));
    assertThat(changes).isEmpty();
    monitor.check();
    monitor.check();
    assertThat(changes).singleElement().satisfies(c -> {
      assertThat(c.check()).isEqualTo("backend");
      assertThat(c.from()).isEqualTo(Status.UP);
      assertThat(c.to()).isEqualTo(Status.DOWN);
      assertThat(c.result().reason()).isEqualTo("connection refused");
    });

    failure.set(null);
    monitor.check();
    monitor.check();
    assertThat(changes).extracting(HealthChange::to).containsExactly(Status.DOWN, Status.UP);
  }

  @Test
  void aFailingListenerDoesNotStopOthers() {
    List<HealthChange> heard = new CopyOnWriteArrayList<>();
    monitor = HealthMonitor.builder()
        .listener(c -> {
          throw new IllegalStateException("listener bug");
        })
        .listener(heard::add)
        .add(Checks.disabled("llm", "LLM disabled (LLM_BASE_URL not set)")).build();

    monitor.check();

    assertThat(heard).extracting(HealthChange::to).containsExactly(Status.DISABLED);
  }

  @Test
  void backgroundRefreshKeepsTheCacheWarm() {
    AtomicInteger calls = new AtomicInteger();
    monitor = HealthMonitor.builder().refreshEvery(Duration.ofMillis(20))
        .add(Checks.of("counted", SECONDS_3, () -> "call " + calls.incrementAndGet())).build();

    awaitTrue(() -> calls.get() >= 3);
    assertThat(monitor.cached()).isPresent();
  }

  @Test
  void closeStopsEveryThreadAndIsIdempotent() {
    monitor = HealthMonitor.builder().refreshEvery(Duration.ofMillis(20))
        .add(hanging("slow", SECONDS_3)).add(up("database")).build();
    awaitTrue(() -> hangingCalls.get() == 1);

    monitor.close();
    monitor.close();

    awaitTrue(() -> liveHealthThreads() == 0);
    assertThat(interrupted).hasValue(1);
    assertThatThrownBy(monitor::check).isInstanceOf(IllegalStateException.class).hasMessage("HealthMonitor is closed");
  }

  @Test
  void builderRefusesDuplicateNamesAndEmptySets() {
    assertThatThrownBy(() -> HealthMonitor.builder().add(up("disk")).add(up("disk")).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("two health checks are named disk");
    assertThatThrownBy(() -> HealthMonitor.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Checks.of("x", Duration.ZERO, () -> "")).hasMessage("timeout of check x must be > 0: PT0S");
  }

  private static long liveHealthThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("comfygate-health")).count();
  }

  /** Polls for up to 5 s: every async wait in these tests is bounded. */
  static void awaitTrue(java.util.function.BooleanSupplier condition) {
    Await.until("a condition", Duration.ofSeconds(5), condition);
  }
}
