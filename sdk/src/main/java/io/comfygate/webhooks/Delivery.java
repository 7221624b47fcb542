package io.comfygate.webhooks;

import java.time.Instant;

/**
 * One webhook event and how its delivery went, for the admin view.
 *
 * @param eventId sent as {@code ComfyGate-Event-Id} and {@code event_id}; the same on every attempt
 * @param type e.g. {@code job.running}
 * @param attempts how many times it was sent
 * @param lastStatus the receiver's last HTTP status, or {@code null} (none yet, or no answer)
 * @param lastError why the last attempt failed, or {@code null}
 * @param nextAttemptAt when it is sent next (pending only), else {@code null}
 * @param deliveredAt when the receiver accepted it, or {@code null}
 */
public record Delivery(String eventId, String jobId, String type, String url, DeliveryState state, int attempts,
    Integer lastStatus, String lastError, Instant nextAttemptAt, Instant createdAt, Instant deliveredAt) {}
