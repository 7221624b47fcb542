package io.comfygate.llm;

import io.comfygate.errors.LlmException;
import java.util.List;
import java.util.Objects;

/**
 * Turns a short idea ("a cat on a roof") into a richer Stable Diffusion prompt: one line of
 * comma-separated keywords, asked of the LLM with a fixed system message. Thread-safe; holds no
 * resources (the {@link LlmClient} is the caller's to close).
 */
public final class PromptHelper {
  /** Same limit as the txt2img template's prompt parameter, so the result always binds. */
  public static final int MAX_LENGTH = 2000;

  static final String SYSTEM_MESSAGE =
      "You write prompts for Stable Diffusion image generation. Rewrite the user's idea as ONE line "
          + "of comma-separated keywords: subject first, then details, style, lighting, composition and "
          + "quality tags. Keep the user's meaning. Answer with the prompt line only: no quotes, no "
          + "explanations, no line breaks.";

  private final LlmClient llm;

  public PromptHelper(LlmClient llm) {
    this.llm = Objects.requireNonNull(llm, "llm");
  }

  /**
   * A richer version of {@code prompt}: the model's answer on one line, trimmed, surrounding quotes
   * removed, at most {@link #MAX_LENGTH} characters (cut at a comma where possible).
   *
   * @throws IllegalArgumentException if {@code prompt} is null or blank
   * @throws LlmException if the LLM fails or is disabled, or answers with nothing usable
   *     ({@link LlmException.Kind#MALFORMED})
   */
  public String improve(String prompt) {
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("prompt must not be blank: type an idea to improve");
    }
    String answer = llm.chat(List.of(Message.system(SYSTEM_MESSAGE), Message.user(prompt.strip())));
    String cleaned = clean(answer);
    if (cleaned.isEmpty()) {
      throw new LlmException(LlmException.Kind.MALFORMED, "the LLM answered with an empty prompt");
    }
    return cleaned;
  }

  /** One line, no wrapping quotes, capped; package-private for tests. */
  static String clean(String answer) {
    // Models often break the line or wrap the prompt in quotes despite being told not to.
    String line = String.join(", ", answer.strip().lines()
        .map(s -> s.strip().replaceAll(",+$", "").strip()).filter(s -> !s.isEmpty()).toList());
    line = stripQuotes(line).replaceAll("\\s+", " ").strip();
    if (line.length() <= MAX_LENGTH) {
      return line;
    }
    String cut = line.substring(0, MAX_LENGTH);
    int comma = cut.lastIndexOf(',');
    // Cutting at a keyword boundary keeps the last keyword whole, unless that loses too much.
    return (comma > MAX_LENGTH / 2 ? cut.substring(0, comma) : cut).strip();
  }

  private static String stripQuotes(String s) {
    String out = s;
    while (out.length() >= 2 && isQuote(out.charAt(0)) && isQuote(out.charAt(out.length() - 1))) {
      out = out.substring(1, out.length() - 1).strip();
    }
    return out;
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'' || c == '`' || c == '\u201c' || c == '\u201d' || c == '\u2018' || c == '\u2019';
  }

  @Override
  public String toString() {
    return "PromptHelper{" + llm + "}";
  }
}
