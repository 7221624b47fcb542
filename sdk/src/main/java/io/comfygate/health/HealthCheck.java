package io.comfygate.health;

import java.time.Duration;

/**
 * One thing that must work for ComfyGate to serve: a backend's HTTP, the database, free disk, the
 * LLM. Build them with {@link Checks}; implement this directly only for something unusual.
 *
 * <p>{@link #check()} may block (it runs on the monitor's own threads) and may throw: any
 * exception counts as DOWN with the exception's message as the reason, so a check can simply call
 * the thing it checks. The monitor stops waiting after {@link #timeout()} and interrupts the check;
 * a check should return promptly when interrupted.
 *
 * <p>If a check also implements {@link AutoCloseable}, the {@link HealthMonitor} it is given to
 * closes it on {@link HealthMonitor#close()}.
 */
public interface HealthCheck {
  /** Unique within a monitor, stable, short: "comfyui:127.0.0.1:8188", "database", "disk", "llm". */
  String name();

  /** How long the monitor waits for {@link #check()} before calling the check DOWN. */
  Duration timeout();

  /** Runs the check once. */
  CheckOutcome check() throws Exception;
}
