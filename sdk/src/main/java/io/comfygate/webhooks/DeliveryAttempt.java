package io.comfygate.webhooks;

import java.time.Duration;

/**
 * One attempt to deliver a webhook event, as told to {@link Webhooks#addAttemptListener}: for
 * metrics and monitoring.
 *
 * @param state {@link DeliveryState#DELIVERED}, {@link DeliveryState#PENDING} (failed, will be
 *     tried again) or {@link DeliveryState#FAILED} (failed for the last time)
 * @param attempts the attempts made for this event so far, this one included
 * @param took how long the POST took, until its answer or its failure
 */
public record DeliveryAttempt(String eventId, String jobId, DeliveryState state, int attempts, Duration took) {}
