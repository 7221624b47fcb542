package io.comfygate.health;

/**
 * What one run of a {@link HealthCheck} found: a status and a short sentence. The sentence is the
 * reason when DOWN or DISABLED (required) and an optional detail when UP. Immutable.
 */
public record CheckOutcome(Status status, String reason) {
  public CheckOutcome {
    if (status == null) {
      throw new IllegalArgumentException("status must not be null");
    }
    if (status != Status.UP && (reason == null || reason.isBlank())) {
      throw new IllegalArgumentException(status + " needs a reason");
    }
    reason = reason == null ? "" : reason;
  }

  public static CheckOutcome up() {
    return new CheckOutcome(Status.UP, "");
  }

  /** UP with a detail for the admin page, e.g. "free disk 51200 MB on /data". */
  public static CheckOutcome up(String detail) {
    return new CheckOutcome(Status.UP, detail);
  }

  public static CheckOutcome down(String reason) {
    return new CheckOutcome(Status.DOWN, reason);
  }

  public static CheckOutcome disabled(String reason) {
    return new CheckOutcome(Status.DISABLED, reason);
  }
}
