package io.comfygate.remote.model;

/** The assistant's suggested prompt, the mode that made it and the LLM model that answered. */
public record PromptSuggestion(String prompt, String mode, String model) {}
