package io.comfygate.webhooks;

import java.util.Locale;

/** Where a webhook event stands: waiting to be (re)sent, received by its URL, or given up. */
public enum DeliveryState {
  PENDING, DELIVERED, FAILED;

  /** The lowercase name used in the database and the API. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The state named {@code wire}.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static DeliveryState fromWireName(String wire) {
    for (DeliveryState s : values()) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("must be one of pending, delivered, failed: " + wire);
  }
}
