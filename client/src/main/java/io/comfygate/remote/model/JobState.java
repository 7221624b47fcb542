package io.comfygate.remote.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a job is: {@code queued → running → succeeded | failed | timeout | cancelled}. {@link #UNKNOWN}
 * stands for a state a newer server may add, so that an older client keeps working.
 */
public enum JobState {
  QUEUED, RUNNING, SUCCEEDED, FAILED, TIMEOUT, CANCELLED, UNKNOWN;

  /** Whether the job has ended (nothing will change it any more). */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == TIMEOUT || this == CANCELLED;
  }

  /** The name on the wire, e.g. {@code succeeded}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state named {@code wire}; {@link #UNKNOWN} for a name this client does not know. */
  @JsonCreator
  public static JobState fromWireName(String wire) {
    for (JobState s : values()) {
      if (s != UNKNOWN && s.wireName().equals(wire)) {
        return s;
      }
    }
    return UNKNOWN;
  }
}
