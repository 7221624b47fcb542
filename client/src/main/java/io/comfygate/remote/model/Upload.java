package io.comfygate.remote.model;

import java.time.Instant;

/** An uploaded input image; {@code id} is what an {@code image} template parameter takes. */
public record Upload(String id, int width, int height, long bytes, String contentType, Instant createdAt) {}
