package io.comfygate.web.api;

import io.comfygate.health.CheckResult;
import io.comfygate.health.HealthReport;
import java.util.List;

/**
 * A health verdict: {@code status} OK or FAIL, a one-line {@code summary} for a banner or the
 * Generate notice, and every check with its status (UP, DOWN, DISABLED), latency and reason.
 */
public record HealthView(String status, boolean ok, String summary, String checkedAt, List<Check> checks) {

  /** One check. */
  public record Check(String name, String status, long latencyMs, String reason, String checkedAt) {}

  public static HealthView of(HealthReport report) {
    return new HealthView(report.verdict(), report.ok(), report.summary(), Times.iso(report.checkedAt()),
        report.checks().stream().map(HealthView::check).toList());
  }

  private static Check check(CheckResult c) {
    return new Check(c.name(), c.status().name(), c.latency().toMillis(), c.reason(), Times.iso(c.checkedAt()));
  }
}
