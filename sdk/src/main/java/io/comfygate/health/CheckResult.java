package io.comfygate.health;

import java.time.Duration;
import java.time.Instant;

/**
 * One check's verdict in a {@link HealthReport}: its status, how long it took, and a short human
 * sentence (the reason when DOWN or DISABLED; a detail or empty when UP). Immutable.
 *
 * @param checkedAt when the round that produced this result started (from the monitor's clock)
 */
public record CheckResult(String name, Status status, Duration latency, String reason, Instant checkedAt) {
  public CheckResult {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (status == null || latency == null || checkedAt == null) {
      throw new IllegalArgumentException("status, latency and checkedAt are required");
    }
    if (status != Status.UP && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException(status + " needs a reason: " + name);
    }
    reason = reason == null ? "" : reason;
  }

  public boolean isDown() {
    return status == Status.DOWN;
  }
}
