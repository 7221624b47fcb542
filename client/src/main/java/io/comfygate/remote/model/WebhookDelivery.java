package io.comfygate.remote.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/** One webhook event and its delivery, as the admin list shows it. */
public record WebhookDelivery(String eventId, String jobId, String type, String url, State state, int attempts,
    Integer lastStatus, String lastError, Instant nextAttemptAt, Instant createdAt, Instant deliveredAt) {

  /** pending, delivered or failed (given up); {@link #UNKNOWN} for a state a newer server adds. */
  public enum State {
    PENDING, DELIVERED, FAILED, UNKNOWN;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static State fromWireName(String wire) {
      for (State s : values()) {
        if (s != UNKNOWN && s.wireName().equals(wire)) {
          return s;
        }
      }
      return UNKNOWN;
    }
  }
}
