package io.comfygate.remote.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** An image's metadata; {@code url} serves the file (to its owner or an admin). */
public record Image(String id, String jobId, String userId, String url, int width, int height, long sizeBytes,
    String template, JsonNode params, Instant createdAt, Instant deletedAt, boolean deleted) {}
