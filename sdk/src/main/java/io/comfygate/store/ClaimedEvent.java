package io.comfygate.store;

import java.net.URI;
import java.time.Instant;

/**
 * A webhook event that one deliverer holds the claim on ({@link WebhookStore#claimDue}): the oldest
 * pending event of its job, due, and no other event of its job claimed.
 *
 * @param seq the event's place in the outbox (a job's events go in this order)
 * @param attempts attempts recorded so far
 * @param retryFrom where the event's retry window starts (its creation, or its last redelivery)
 */
public record ClaimedEvent(long seq, String eventId, String jobId, String type, URI url, String keyId, String payload,
    int attempts, Instant retryFrom) {}
