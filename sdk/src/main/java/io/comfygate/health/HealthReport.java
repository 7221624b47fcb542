package io.comfygate.health;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The verdict of one round of checks: OK iff no check is {@link Status#DOWN} (a DISABLED check does
 * not fail). {@code /healthz} answers 200 when {@link #ok()}, else 503, listing every check. Immutable.
 *
 * @param checks one result per check, in the order the checks were registered
 * @param checkedAt when the round started
 */
public record HealthReport(List<CheckResult> checks, Instant checkedAt) {
  /** The notice stays short enough for a toast next to the Generate button. */
  static final int MAX_SUMMARY = 300;

  public HealthReport {
    checks = List.copyOf(checks);
    if (checkedAt == null) {
      throw new IllegalArgumentException("checkedAt is required");
    }
  }

  public boolean ok() {
    return checks.stream().noneMatch(CheckResult::isDown);
  }

  /** "OK" or "FAIL", as the admin banner shows it. */
  public String verdict() {
    return ok() ? "OK" : "FAIL";
  }

  /** The DOWN checks, in registration order. */
  public List<CheckResult> failures() {
    return checks.stream().filter(CheckResult::isDown).collect(Collectors.toList());
  }

  public Optional<CheckResult> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * One sentence for the pre-check notice: "OK", or the failing checks' reasons, e.g.
   * {@code "FAIL: ComfyUI at http://127.0.0.1:8188 is not reachable: connection refused"}.
   */
  public String summary() {
    if (ok()) {
      return "OK";
    }
    String text = "FAIL: " + failures().stream().map(CheckResult::reason).collect(Collectors.joining("; "));
    return text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY - 1) + "…";
  }
}
