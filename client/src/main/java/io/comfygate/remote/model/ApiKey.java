package io.comfygate.remote.model;

import java.time.Instant;

/** An API key as listed: never the key itself nor its webhook secret. */
public record ApiKey(String id, String userId, String name, boolean admin, Instant createdAt, Instant revokedAt,
    Instant lastUsedAt, boolean revoked, String webhookUrl) {}
