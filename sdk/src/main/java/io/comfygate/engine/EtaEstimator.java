package io.comfygate.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Estimates how long jobs take, from a moving average of recent run times per template, and turns
 * a queue position into an ETA. Thread-safe.
 *
 * <p>Before any job of a template has finished, the estimate is {@code initialGuess}.
 */
final class EtaEstimator {
  private final int window;
  private final Duration initialGuess;
  private final Map<String, Deque<Duration>> recent = new HashMap<>();

  EtaEstimator(int window, Duration initialGuess) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1: " + window);
    }
    this.window = window;
    this.initialGuess = initialGuess;
  }

  /** Records how long a finished job of {@code template} ran. */
  synchronized void record(String template, Duration runTime) {
    Deque<Duration> times = recent.computeIfAbsent(template, t -> new ArrayDeque<>());
    times.addLast(runTime);
    while (times.size() > window) {
      times.removeFirst();
    }
  }

  /** The average of the recent run times of {@code template}. */
  synchronized Duration runTime(String template) {
    Deque<Duration> times = recent.get(template);
    if (times == null || times.isEmpty()) {
      Duration all = overall();
      return all != null ? all : initialGuess;
    }
    return average(times);
  }

  private Duration overall() {
    Deque<Duration> all = new ArrayDeque<>();
    recent.values().forEach(all::addAll);
    return all.isEmpty() ? null : average(all);
  }

  private static Duration average(Deque<Duration> times) {
    long total = 0;
    for (Duration d : times) {
      total += d.toMillis();
    }
    return Duration.ofMillis(total / times.size());
  }

  /**
   * When a waiting job should finish: the jobs ahead of it are served {@code slots} at a time,
   * after the running ones end.
   *
   * @param position 0 = the next job to be dispatched
   * @param slots how many jobs run at once across healthy backends (at least 1 is assumed)
   * @param runningRemaining the time left of the soonest-ending running job (zero if a slot is free)
   * @param runTime the expected run time of each job
   */
  static Duration eta(int position, int slots, Duration runningRemaining, Duration runTime) {
    int rounds = position / Math.max(1, slots);
    return runningRemaining.plus(runTime.multipliedBy(rounds + 1L));
  }

  /** The time left of a running job that started {@code elapsed} ago; never negative. */
  static Duration remaining(Duration expected, Duration elapsed) {
    Duration left = expected.minus(elapsed);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
