package io.comfygate.web.api;

import java.time.Instant;

final class Times {
  private Times() {}

  static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
