package io.comfygate.config;

/** Log levels accepted by {@code LOG_LEVEL} and {@code PROGRESS_LOG_LEVEL} (any case). */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR
}
