package io.comfygate.web.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts and times webhook deliveries: the extension point for the webhook sender. Whatever sends
 * webhooks reports each attempt with {@link #record(Outcome, Duration)}, typically from a listener
 * of its own delivery events, e.g. {@code webhooks.addListener(d -> meter.record(outcome(d), d.took()))}.
 * The series appear with the first delivery. Thread-safe.
 */
public final class WebhookDeliveryMeter {
  /** How one delivery attempt ended; the {@code outcome} label. */
  public enum Outcome {
    /** The receiver answered 2xx. */
    DELIVERED,
    /** It failed (error status, no answer, timeout); it will be tried again. */
    FAILED,
    /** It failed for the last time: no more retries. */
    GAVE_UP;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  WebhookDeliveryMeter(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one delivery attempt and how long its POST took. */
  public void record(Outcome outcome, Duration took) {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(took, "took");
    Counter.builder("comfygate.webhook.deliveries").description("Webhook delivery attempts, by outcome (delivered, failed, gave_up)")
        .tag("outcome", outcome.label()).register(registry).increment();
    JobMetrics.timer("comfygate.webhook.delivery", "Duration of webhook POSTs, by outcome", Buckets.WEBHOOK)
        .tag("outcome", outcome.label()).register(registry).record(took.isNegative() ? Duration.ZERO : took);
  }
}
