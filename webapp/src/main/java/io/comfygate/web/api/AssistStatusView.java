package io.comfygate.web.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Whether the prompt assistant can be offered ({@code enabled}: an LLM is configured), its modes,
 * the per-user limit per minute, and why it is off ({@code reason}, only when not enabled).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssistStatusView(boolean enabled, List<String> modes, int perMinute, String reason) {}
