package io.comfygate.web.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/jobs}: {@code {"template": "txt2img", "params": {"prompt": "a cat"}}};
 * {@code template} is optional (the default template).
 */
public record SubmitJobRequest(String template, JsonNode params) {}
