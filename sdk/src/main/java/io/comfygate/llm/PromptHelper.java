package io.comfygate.llm;

import io.comfygate.errors.LlmException;
import java.util.List;
import java.util.Objects;

/**
 * The prompt assistant: asks the LLM, with a system message per {@link Mode}, to translate a prompt
 * into an English image prompt ({@link Mode#TRANSLATE}) or to turn a short idea into a richer one
 * ({@link Mode#EXPAND}). The answer comes back as one line of comma-separated keywords, cleaned of
 * the quotes and line breaks models add anyway. The system messages come from {@link SystemPrompts}
 * (the shipped file, or the operator's {@code LLM_PROMPTS_FILE}).
 *
 * <pre>{@code
 * PromptHelper helper = new PromptHelper(engine.llm(), SystemPrompts.from(settings.llmPromptsFile()));
 * String english = helper.assist("노을 지는 바닷가의 고양이", PromptHelper.Mode.TRANSLATE);
 * }</pre>
 *
 * <p>Thread-safe; holds no resources (the {@link LlmClient} is the caller's to close). Each call
 * blocks for at most the client's timeout ({@code LLM_TIMEOUT_SECONDS}).
 */
public final class PromptHelper {
  /** Same limit as the txt2img template's prompt parameter, so the result always binds. */
  public static final int MAX_LENGTH = 2000;

  /** What the assistant does with the prompt. */
  public enum Mode {
    /** Into an English image prompt, the meaning kept and nothing added. */
    TRANSLATE,
    /** A richer English prompt (details, style, lighting, composition) from a short idea. */
    EXPAND
  }

  private final LlmClient llm;
  private final SystemPrompts prompts;

  /** A helper with the shipped system prompts. */
  public PromptHelper(LlmClient llm) {
    this(llm, SystemPrompts.shipped());
  }

  public PromptHelper(LlmClient llm, SystemPrompts prompts) {
    this.llm = Objects.requireNonNull(llm, "llm");
    this.prompts = Objects.requireNonNull(prompts, "prompts");
  }

  /** Whether the LLM is configured (false: every call throws {@link LlmException.Kind#DISABLED}). */
  public boolean enabled() {
    return llm.enabled();
  }

  /** The model answering, or null when disabled. */
  public String model() {
    return llm.model();
  }

  /** {@link #assist} in {@link Mode#EXPAND}. */
  public String improve(String prompt) {
    return assist(prompt, Mode.EXPAND);
  }

  /**
   * The LLM's version of {@code prompt} in {@code mode}: its answer on one line, trimmed, surrounding
   * quotes removed, at most {@link #MAX_LENGTH} characters (cut at a comma where possible).
   *
   * @throws IllegalArgumentException if {@code prompt} is null or blank, or longer than
   *     {@link #MAX_LENGTH} characters (the LLM is not asked)
   * @throws LlmException if the LLM fails or is disabled, or answers with nothing usable
   *     ({@link LlmException.Kind#MALFORMED})
   */
  public String assist(String prompt, Mode mode) {
    Objects.requireNonNull(mode, "mode");
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("prompt must not be blank: type an idea to improve");
    }
    int length = prompt.strip().codePointCount(0, prompt.strip().length());
    if (length > MAX_LENGTH) {
      throw new IllegalArgumentException("prompt is " + length + " characters long; at most " + MAX_LENGTH + " allowed");
    }
    String answer = llm.chat(List.of(Message.system(prompts.forMode(mode)), Message.user(prompt.strip())));
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
