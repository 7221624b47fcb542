package io.comfygate.config;

import java.util.Objects;

/**
 * One line of {@link Settings#describe()}: a key, its value as configured (secrets already masked)
 * and where that value came from.
 *
 * @param key the setting name, e.g. {@code JOB_TIMEOUT_SECONDS}
 * @param value the raw configured value, {@code ****} for a non-empty secret
 * @param source where the value came from
 */
public record SettingEntry(String key, String value, SettingSource source) {
  public SettingEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
  }

  /** {@code KEY=value (source)}, ready for a start-up log line. */
  @Override
  public String toString() {
    return key + "=" + value + " (" + source.label() + ")";
  }
}
