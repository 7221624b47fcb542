package io.comfygate.web.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts and times webhook deliveries. {@code AppLifecycle} feeds it from the SDK's sender
 * ({@code webhooks.addAttemptListener(meter::record)}); other senders may call
 * {@link #record(Outcome, Duration)}.
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

  /** Records one attempt as the SDK's webhook sender reports it ({@code Webhooks.addAttemptListener}). */
  public void record(io.comfygate.webhooks.DeliveryAttempt attempt) {
    Outcome outcome = switch (attempt.state()) {
      case DELIVERED -> Outcome.DELIVERED;
      case PENDING -> Outcome.FAILED;
      case FAILED -> Outcome.GAVE_UP;
    };
    record(outcome, attempt.took());
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
