package io.comfygate.web.resources;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * At most {@code limit} calls per user within any {@code window} (a sliding window of the calls'
 * times). Thread-safe; one lock, no I/O under it. Users without a call in the window take no memory.
 */
final class PerUserRateLimit {
  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> calls = new HashMap<>();

  PerUserRateLimit(int limit, Duration window, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    this.limit = limit;
    this.window = window;
    this.clock = clock;
  }

  int limit() {
    return limit;
  }

  /**
   * Counts a call of {@code user} now if it is within the limit and returns empty; otherwise counts
   * nothing and returns how long until the oldest call in the window leaves it.
   */
  synchronized Optional<Duration> tryAcquire(String user) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(window);
    Deque<Instant> times = calls.computeIfAbsent(user, u -> new ArrayDeque<>());
    while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
      times.pollFirst();
    }
    if (times.size() >= limit) {
      return Optional.of(Duration.between(cutoff, times.peekFirst()));
    }
    times.addLast(now);
    // forget users whose calls have all left the window, so the map holds only recently active users
    calls.values().removeIf(t -> !t.peekLast().isAfter(cutoff));
    return Optional.empty();
  }
}
