package io.comfygate.health;

import io.comfygate.llm.LlmClient;
import io.comfygate.llm.LlmReadiness;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * Factories for the checks ComfyGate runs. Each returned check is immutable and thread-safe.
 *
 * <pre>{@code
 * HealthMonitor health = HealthMonitor.builder()
 *     .add(Checks.of("comfyui:127.0.0.1:8188", Duration.ofSeconds(3), () -> client.systemStats().toString()))
 *     .add(Checks.jdbcWriteProbe(dataSource))
 *     .add(Checks.diskFree(outputDir, 1024))
 *     .add(Checks.llm(llmClient))
 *     .refreshEvery(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 */
public final class Checks {
  /** The timeout of checks that take none: the database and disk. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * Extra time the monitor grants a check that enforces its own deadline (HTTP, LLM), so its own,
   * more telling reason ("connection refused", "HTTP 503") wins over the monitor's "no answer".
   */
  static final Duration OWN_DEADLINE_SLACK = Duration.ofMillis(250);

  private Checks() {}

  /**
   * A check that is UP when {@code probe} returns (its result, if not null, is the detail) and
   * DOWN with the exception's message when it throws. The simplest way to check anything:
   * {@code Checks.of("comfyui:host:8188", timeout, () -> client.systemStats().toString())}.
   */
  public static HealthCheck of(String name, Duration timeout, Callable<String> probe) {
    Objects.requireNonNull(probe, "probe");
    return outcome(name, timeout, () -> CheckOutcome.up(probe.call()));
  }

  /** A check whose probe decides the whole outcome, DISABLED included; throwing is DOWN. */
  public static HealthCheck outcome(String name, Duration timeout, Callable<CheckOutcome> probe) {
    return new SimpleCheck(name, timeout, probe);
  }

  /** A check that is always DISABLED for {@code reason}. */
  public static HealthCheck disabled(String name, String reason) {
    CheckOutcome off = CheckOutcome.disabled(reason);
    return outcome(name, DEFAULT_TIMEOUT, () -> off);
  }

  /**
   * "disk": DOWN when the volume holding {@code dir} has less than {@code minFreeMb} MB usable
   * (HEALTHZ_DISK_MIN_FREE_MB). {@code dir} need not exist yet: the nearest existing ancestor's
   * volume is measured. The reason names the free MB, the path and the setting.
   */
  public static HealthCheck diskFree(Path dir, long minFreeMb) {
    DiskFree disk = new DiskFree(dir, minFreeMb);
    return outcome("disk", DEFAULT_TIMEOUT, disk::check);
  }

  /**
   * "database": writes a row into table {@code health_probe} (created if missing) and reads it
   * back in one transaction; DOWN with the driver's message when either fails or the row read back
   * differs.
   */
  public static HealthCheck jdbcWriteProbe(DataSource dataSource) {
    JdbcWriteProbe probe = new JdbcWriteProbe(dataSource, DEFAULT_TIMEOUT);
    return of("database", DEFAULT_TIMEOUT, probe::call);
  }

  /**
   * UP when {@code GET url} answers 200 within {@code timeout}. The returned check owns a JDK
   * HttpClient and its threads ({@code comfygate-health-http-N}); it is AutoCloseable and closed
   * by the monitor it is given to.
   */
  public static HealthCheck http(String name, URI url, Duration timeout) {
    return new HttpCheck(name, url, timeout, OWN_DEADLINE_SLACK);
  }

  /**
   * "llm": DISABLED when the client is disabled (reason "LLM disabled (LLM_BASE_URL not set)"),
   * UP when its models endpoint answers within {@link #DEFAULT_TIMEOUT}, else DOWN with the reason.
   * The client stays the caller's to close.
   */
  public static HealthCheck llm(LlmClient client) {
    Objects.requireNonNull(client, "client");
    return outcome("llm", DEFAULT_TIMEOUT.plus(OWN_DEADLINE_SLACK), () -> {
      LlmReadiness readiness = client.ready(DEFAULT_TIMEOUT);
      switch (readiness.state()) {
        case READY:
          return CheckOutcome.up(readiness.reason());
        case DISABLED:
          return CheckOutcome.disabled(readiness.reason());
        default:
          return CheckOutcome.down(readiness.reason());
      }
    });
  }

  /** A named check around a callable. */
  private record SimpleCheck(String name, Duration timeout, Callable<CheckOutcome> probe) implements HealthCheck {
    SimpleCheck {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("check name must not be blank");
      }
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout of check " + name + " must be > 0: " + timeout);
      }
      Objects.requireNonNull(probe, "probe");
    }

    @Override
    public CheckOutcome check() throws Exception {
      return probe.call();
    }

    @Override
    public String toString() {
      return "HealthCheck{" + name + "}";
    }
  }
}
