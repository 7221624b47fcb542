package io.comfygate.config;

/**
 * Where the value of a setting came from. Declared from lowest to highest precedence: a value set
 * in code beats a system property, which beats the environment, which beats the {@code .env} file,
 * which beats the built-in default.
 */
public enum SettingSource {
  /** The built-in default of the key. */
  DEFAULT("default"),
  /** The {@code .env} file ({@code COMFYGATE_ENV_FILE}, else {@code ./.env}). */
  ENV_FILE(".env"),
  /** A process environment variable. */
  ENVIRONMENT("environment"),
  /** A JVM system property ({@code -DKEY=value}). */
  SYSTEM_PROPERTY("system property"),
  /** {@link Settings.Builder#set(String, String)}, used by code that embeds the SDK. */
  CODE("code");

  private final String label;

  SettingSource(String label) {
    this.label = label;
  }

  /** A short human-readable name, as used in log lines and error messages (e.g. {@code .env}). */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
