package io.comfygate.remote.model;

import java.util.List;

/**
 * Whether the server offers its prompt assistant: its modes ({@code translate}, {@code expand}),
 * how many requests one user may make per minute, and when it is off, why.
 */
public record PromptAssistant(boolean enabled, List<String> modes, int perMinute, String reason) {
  public PromptAssistant {
    modes = modes == null ? List.of() : List.copyOf(modes);
  }
}
