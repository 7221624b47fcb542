package io.comfygate.config;

import io.comfygate.errors.InvalidSettingsException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies precedence (code > system property > environment > .env > default), parses every key,
 * checks how keys combine, and collects every problem before failing, so that an operator sees all
 * mistakes in one start-up attempt.
 */
final class SettingsResolver {
  private final Map<String, String> code;
  private final Map<String, String> systemProperties;
  private final Map<String, String> environment;
  private final EnvFile envFile; // null when there is none

  SettingsResolver(
      Map<String, String> code,
      Map<String, String> systemProperties,
      Map<String, String> environment,
      EnvFile envFile) {
    this.code = code;
    this.systemProperties = systemProperties;
    this.environment = environment;
    this.envFile = envFile;
  }

  /** @throws InvalidSettingsException listing every bad value */
  Settings resolve() {
    Map<Key<?>, ResolvedSetting> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Key<?> key : Keys.ALL) {
      ResolvedSetting raw = pick(key);
      try {
        Object value = key.parser().parse(raw.raw());
        values.put(key, new ResolvedSetting(key, raw.raw(), raw.source(), raw.origin(), value));
      } catch (RejectedValueException e) {
        problems.add(problem(raw, e.getMessage(), key.parser().allowed()));
      }
    }
    if (problems.isEmpty()) {
      checkCombinations(values, problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new Settings(values, warnings());
  }

  private ResolvedSetting pick(Key<?> key) {
    String name = key.name();
    if (code.containsKey(name)) {
      return unparsed(key, code.get(name), SettingSource.CODE, "code");
    }
    if (systemProperties.containsKey(name)) {
      return unparsed(key, systemProperties.get(name), SettingSource.SYSTEM_PROPERTY,
          "system property");
    }
    if (environment.containsKey(name)) {
      return unparsed(key, environment.get(name), SettingSource.ENVIRONMENT, "environment");
    }
    if (envFile != null && envFile.entries().containsKey(name)) {
      EnvFile.Entry entry = envFile.entries().get(name);
      return unparsed(key, entry.value(), SettingSource.ENV_FILE,
          envFile.name() + " line " + entry.line());
    }
    return unparsed(key, key.defaultValue(), SettingSource.DEFAULT, "default");
  }

  private static ResolvedSetting unparsed(
      Key<?> key, String raw, SettingSource source, String origin) {
    return new ResolvedSetting(key, raw, source, origin, null);
  }

  /** Rules spanning several keys; they run only once every key parsed on its own. */
  private static void checkCombinations(
      Map<Key<?>, ResolvedSetting> values, List<String> problems) {
    boolean llmEnabled = ((Optional<?>) values.get(Keys.LLM_BASE_URL).value()).isPresent();
    ResolvedSetting model = values.get(Keys.LLM_MODEL);
    if (llmEnabled && model.raw().isBlank()) {
      problems.add(problem(model, "", "a model name when LLM_BASE_URL is set"));
    }
    ResolvedSetting password = values.get(Keys.JOB_DB_PASSWORD);
    boolean postgresql = ((DbLocation) values.get(Keys.JOB_DB_PATH).value()).jdbcUrl().startsWith("jdbc:postgresql:");
    if (!password.raw().isEmpty() && !postgresql && ((String) values.get(Keys.JOB_DB_JNDI).value()).isEmpty()) {
      problems.add(problem(password, "", "empty unless JOB_DB_PATH is a jdbc:postgresql: URL"));
    }
  }

  /** {@code Invalid setting KEY="value" (from origin): [detail; ]must be allowed}. */
  static String problem(ResolvedSetting raw, String detail, String allowed) {
    return "Invalid setting " + raw.key().name() + "=\"" + raw.display() + "\" (from "
        + raw.origin() + "): " + (detail.isEmpty() ? "" : detail + "; ") + "must be " + allowed;
  }

  private List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    if (envFile == null) {
      return warnings;
    }
    warnings.addAll(envFile.warnings());
    for (EnvFile.Entry entry : envFile.entries().values()) {
      String where = " in " + envFile.name() + " line " + entry.line();
      if (entry.key().equals(Keys.ENV_FILE_KEY)) {
        warnings.add(Keys.ENV_FILE_KEY + where
            + " is ignored: set it as an environment variable or system property");
      } else if (Keys.byName(entry.key()).isEmpty() && KeySuggestions.looksLikeOurs(entry.key())) {
        String hint = KeySuggestions.closest(entry.key())
            .map(k -> " (did you mean " + k + "?)").orElse("");
        warnings.add("Unknown key " + entry.key() + where + " is ignored" + hint);
      }
    }
    return warnings;
  }
}
