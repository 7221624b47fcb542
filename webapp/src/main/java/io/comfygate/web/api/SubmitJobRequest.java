package io.comfygate.web.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/jobs}: {@code {"template": "txt2img", "params": {"prompt": "a cat"}}};
 * {@code template} is optional (the default template). {@code webhook_url} (optional, API keys
 * only) receives the job's state changes; without it the key's default URL, if any, does.
 */
public record SubmitJobRequest(String template, JsonNode params, String webhookUrl) {}
