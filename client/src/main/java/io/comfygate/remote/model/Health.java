package io.comfygate.remote.model;

import java.time.Instant;
import java.util.List;

/**
 * A health verdict ({@code /healthz}, the admin status, the pre-check): {@code ok}, a one-line
 * summary, and every check with its status (UP, DOWN, DISABLED), latency and reason. {@code simulated}
 * (pre-check only) is true when a backend is the simulated ComfyUI; {@code cluster} (admin status
 * only, else null) lists the instances sharing the database and which one dispatches.
 */
public record Health(String status, boolean ok, String summary, Instant checkedAt, List<Check> checks,
    boolean simulated, Cluster cluster) {
  public Health {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** One check. */
  public record Check(String name, String status, long latencyMs, String reason, Instant checkedAt) {}
}
