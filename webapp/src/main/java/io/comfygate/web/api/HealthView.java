package io.comfygate.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.comfygate.health.CheckResult;
import io.comfygate.health.HealthReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A health verdict: {@code status} OK or FAIL, a one-line {@code summary} for a banner or the
 * Generate notice, and every check with its status (UP, DOWN, DISABLED), latency and reason.
 * {@link #anonymous} is the verdict for callers who are not administrators: each check's name and
 * status only. The admin status adds the {@code cluster}: the instances sharing the database and
 * which one dispatches ({@link #withCluster}); elsewhere it is absent.
 */
public record HealthView(String status, boolean ok, String summary, String checkedAt, List<Check> checks,
    @JsonInclude(JsonInclude.Include.NON_NULL) ClusterView cluster) {

  /** One check; {@code latencyMs} and {@code reason} are absent in the {@link #anonymous} view. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Check(String name, String status, Long latencyMs, String reason, String checkedAt) {}

  public static HealthView of(HealthReport report) {
    return new HealthView(report.verdict(), report.ok(), report.summary(), Times.iso(report.checkedAt()),
        report.checks().stream().map(HealthView::check).toList(), null);
  }

  /** This verdict with the instances of the cluster (the admin status). */
  public HealthView withCluster(ClusterView cluster) {
    return new HealthView(status, ok, summary, checkedAt, checks, cluster);
  }

  /**
   * The verdict without what would help an attacker: no reasons (they carry paths, addresses and
   * error texts), no latencies, and no address in a name. What follows the colon of a check's name
   * ({@code comfyui:10.0.0.5:8188}) is replaced by its number among the checks of that kind
   * ({@code comfyui#1}); the summary names the failing checks the same way.
   */
  public static HealthView anonymous(HealthReport report) {
    Map<String, Integer> seen = new HashMap<>();
    List<Check> checks = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    for (CheckResult c : report.checks()) {
      int colon = c.name().indexOf(':');
      String name = colon < 0 ? c.name() : c.name().substring(0, colon) + "#" + seen.merge(c.name().substring(0, colon), 1, Integer::sum);
      checks.add(new Check(name, c.status().name(), null, null, Times.iso(c.checkedAt())));
      if (c.isDown()) {
        failing.add(name);
      }
    }
    String summary = report.ok() ? "OK" : "FAIL: " + String.join(", ", failing);
    return new HealthView(report.verdict(), report.ok(), summary, Times.iso(report.checkedAt()), List.copyOf(checks), null);
  }

  private static Check check(CheckResult c) {
    return new Check(c.name(), c.status().name(), c.latency().toMillis(), c.reason(), Times.iso(c.checkedAt()));
  }
}
