package io.comfygate.config;

/** Log line formats accepted by {@code LOG_FORMAT} (any case). */
public enum LogFormat {
  /** One JSON object per line, for log shippers. */
  JSON,
  /** Plain human-readable lines. */
  TEXT
}
