package io.comfygate.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The system message the prompt helper sends for each {@link PromptHelper.Mode}. They live in one
 * Java properties file (UTF-8) with one key per mode ({@code translate}, {@code expand}): the shipped
 * one ({@link #shipped()}), or an operator's copy named by {@code LLM_PROMPTS_FILE} ({@link #read}).
 * Immutable.
 */
public final class SystemPrompts {
  private static final String SHIPPED = "system-prompts.properties";

  private final Map<PromptHelper.Mode, String> byMode;
  private final String source;

  private SystemPrompts(Map<PromptHelper.Mode, String> byMode, String source) {
    this.byMode = Map.copyOf(byMode);
    this.source = source;
  }

  /** The system prompts shipped with ComfyGate. */
  public static SystemPrompts shipped() {
    try (InputStream in = SystemPrompts.class.getResourceAsStream(SHIPPED)) {
      if (in == null) {
        throw new IllegalStateException("the shipped " + SHIPPED + " is missing from the class path");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "the shipped " + SHIPPED);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped " + SHIPPED, e);
    }
  }

  /**
   * The system prompts in {@code file}.
   *
   * @throws IllegalArgumentException if the file cannot be read or lacks a mode's prompt (naming
   *     the file and the key)
   */
  public static SystemPrompts read(Path file) {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("LLM_PROMPTS_FILE cannot be read: " + file + " (" + e.getMessage() + ")", e);
    }
  }

  /** {@link #read} for a given file, else {@link #shipped()}. */
  public static SystemPrompts from(Optional<Path> file) {
    return file.map(SystemPrompts::read).orElseGet(SystemPrompts::shipped);
  }

  /** The system message for {@code mode}. */
  public String forMode(PromptHelper.Mode mode) {
    return byMode.get(mode);
  }

  private static SystemPrompts parse(Reader in, String source) throws IOException {
    Properties props = new Properties();
    props.load(in);
    Map<PromptHelper.Mode, String> byMode = new EnumMap<>(PromptHelper.Mode.class);
    for (PromptHelper.Mode mode : PromptHelper.Mode.values()) {
      String key = mode.name().toLowerCase(Locale.ROOT);
      String value = props.getProperty(key);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(source + " has no system prompt for mode '" + key
            + "' (a line " + key + "=…)");
      }
      byMode.put(mode, value.strip().replaceAll("\\s+", " "));
    }
    return new SystemPrompts(byMode, source);
  }

  @Override
  public String toString() {
    return "SystemPrompts{" + source + "}";
  }
}
