package io.comfygate.client;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code GET /features} (since 0.3.45). {@code raw} keeps flags this SDK does not model. */
public record Features(boolean supportsPreviewMetadata, long maxUploadSize, JsonNode raw) {}
