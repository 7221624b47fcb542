package io.comfygate.remote;

import io.comfygate.remote.model.Job;

/**
 * A submit's answer: the job, the Idempotency-Key it was sent with, and whether the server replayed
 * an earlier job for that key (a retry, by this client or by the caller).
 */
public record Submission(Job job, String idempotencyKey, boolean replayed) {}
