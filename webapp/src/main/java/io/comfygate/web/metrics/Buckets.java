package io.comfygate.web.metrics;

import java.time.Duration;

/**
 * Histogram bucket bounds, chosen for the values each histogram sees: image jobs run for seconds
 * to minutes, they wait from nothing to many minutes when the queue is long, and a prompt POST to
 * ComfyUI on the same network answers in milliseconds.
 */
final class Buckets {
  private Buckets() {}

  /** Job run time (started to finished): 1 s to 10 min; JOB_TIMEOUT_SECONDS defaults to 180. */
  static final Duration[] RUN = seconds(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600);

  /** Time from submit to start: 100 ms (an idle GPU) to 30 min (a long queue). */
  static final Duration[] QUEUE_WAIT = seconds(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800);

  /** Submit to prompt accepted by ComfyUI: 10 ms when a slot is free, up to the queue wait otherwise. */
  static final Duration[] DISPATCH = seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800);

  /** One POST /prompt round trip (ComfyUI validates the workflow before it answers). */
  static final Duration[] REQUEST = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

  /** A webhook POST: 50 ms to the delivery timeout. */
  static final Duration[] WEBHOOK = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return out;
  }
}
