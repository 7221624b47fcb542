package io.comfygate.web.api;

/**
 * The prompt assistant's suggestion: the new prompt, the mode asked for and the model that wrote it.
 */
public record AssistView(String prompt, String mode, String model) {}
