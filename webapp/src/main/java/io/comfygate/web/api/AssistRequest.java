package io.comfygate.web.api;

/**
 * {@code POST /api/v1/prompt/assist}: {@code {"prompt": "노을 지는 바닷가", "mode": "translate"}};
 * {@code mode} is {@code translate} (into an English image prompt) or {@code expand} (a richer one).
 */
public record AssistRequest(String prompt, String mode) {}
