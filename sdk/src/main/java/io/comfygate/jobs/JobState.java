package io.comfygate.jobs;

import java.util.Locale;

/**
 * Where a job is in its life: {@code queued → running → succeeded | failed | timeout | cancelled}.
 * A queued job may also end directly (cancelled, or failed when it cannot be dispatched).
 *
 * <p>On the wire (JSON, logs, the database) a state is its lowercase name, see {@link #wireName()}.
 */
public enum JobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  TIMEOUT,
  CANCELLED;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** True for the four end states; a terminal job never changes state again. */
  public boolean isTerminal() {
    return this != QUEUED && this != RUNNING;
  }

  /** The lowercase name used in JSON, logs and the database, e.g. {@code "succeeded"}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The state with this wire name.
   *
   * @throws IllegalArgumentException naming the allowed values if {@code wireName} is unknown
   */
  public static JobState fromWireName(String wireName) {
    for (JobState state : values()) {
      if (state.wireName.equals(wireName)) {
        return state;
      }
    }
    throw new IllegalArgumentException(
        "unknown job state: " + wireName + " (allowed: queued, running, succeeded, failed, timeout,"
            + " cancelled)");
  }
}
