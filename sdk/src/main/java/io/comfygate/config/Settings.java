package io.comfygate.config;

import io.comfygate.errors.InvalidSettingsException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The typed, validated start-up settings of ComfyGate (SPEC §3). Immutable and thread-safe: build
 * one at start-up and pass it to whatever needs it.
 *
 * <p>Each key is looked up, highest precedence first, in:
 *
 * <ol>
 *   <li>values set in code with {@link Builder#set(String, String)};
 *   <li>JVM system properties ({@code -DJOB_TIMEOUT_SECONDS=300});
 *   <li>environment variables;
 *   <li>the {@code .env} file: the path in {@code COMFYGATE_ENV_FILE} (a system property or
 *       environment variable) if set, else {@code ./.env} if it exists;
 *   <li>the built-in default.
 * </ol>
 *
 * The same key names are used everywhere; {@code .env.example} at the repository root lists them
 * all with their defaults. A bad value stops construction with an {@link InvalidSettingsException}
 * that lists every bad key, its value, where it came from and what is allowed. Unknown keys in the
 * {@code .env} file that look like typos of ours are not fatal; they are reported by {@link
 * #warnings()} for the caller to log.
 *
 * <p>The secrets ({@code LLM_API_KEY}, {@code BOOTSTRAP_ADMIN_KEY}) are masked: {@link #toString()},
 * {@link #describe()} and error messages show them as {@code ****}. Only {@link #llmApiKey()} and
 * {@link #bootstrapAdminKey()} return them.
 */
public final class Settings {
  private final Map<Key<?>, ResolvedSetting> values;
  private final List<String> warnings;

  Settings(Map<Key<?>, ResolvedSetting> values, List<String> warnings) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads the real system properties, environment and {@code .env} file. This is the only method
   * that looks at the process environment.
   *
   * @throws InvalidSettingsException if a value is invalid, the {@code .env} file is malformed, or
   *     {@code COMFYGATE_ENV_FILE} names a file that does not exist
   */
  public static Settings fromEnv() {
    Properties properties = System.getProperties();
    Map<String, String> props =
        properties.stringPropertyNames().stream()
            .collect(Collectors.toMap(n -> n, properties::getProperty));
    return fromSources(props, System.getenv(), Path.of(".env"));
  }

  /**
   * Like {@link #fromEnv()}, but the {@code .env} file is {@code envFile}, which must exist: for
   * hosts that say where it is in their own configuration (a servlet context parameter).
   *
   * @throws InvalidSettingsException as {@link #fromEnv()}, or if {@code envFile} does not exist
   */
  public static Settings fromEnv(Path envFile) {
    Properties properties = System.getProperties();
    Map<String, String> props =
        properties.stringPropertyNames().stream()
            .collect(Collectors.toMap(n -> n, properties::getProperty));
    return builder().systemProperties(props).environment(System.getenv()).envFile(envFile).build();
  }

  /** {@link #fromEnv()} on given maps; {@code defaultEnvFile} is used if it exists. */
  static Settings fromSources(
      Map<String, String> systemProperties, Map<String, String> environment, Path defaultEnvFile) {
    Builder builder = builder().systemProperties(systemProperties).environment(environment);
    // Blank counts as unset: "COMFYGATE_ENV_FILE=" in a compose file means "no override".
    String fromProps = systemProperties.getOrDefault(Keys.ENV_FILE_KEY, "").strip();
    String fromEnv = environment.getOrDefault(Keys.ENV_FILE_KEY, "").strip();
    if (fromProps.isEmpty() && fromEnv.isEmpty()) {
      return builder.envFileIfPresent(defaultEnvFile).build();
    }
    String named = fromProps.isEmpty() ? fromEnv : fromProps;
    String source = fromProps.isEmpty() ? "environment" : "system property";
    try {
      builder.envFile(Path.of(named), "named by " + Keys.ENV_FILE_KEY + " from " + source);
    } catch (InvalidPathException e) {
      throw new InvalidSettingsException(List.of("Invalid setting " + Keys.ENV_FILE_KEY + "=\""
          + named + "\" (from " + source + "): must be a file path"), e);
    }
    return builder.build();
  }

  /** A builder with no sources: only defaults, plus whatever is added to it. */
  public static Builder builder() {
    return new Builder();
  }

  /** Every key at its default. */
  public static Settings defaults() {
    return builder().build();
  }

  @SuppressWarnings("unchecked") // the key table pairs each Key<T> with a parser producing T
  private <T> T get(Key<T> key) {
    return (T) values.get(key).value();
  }

  // ---- ComfyUI / output / DB

  /**
   * {@code COMFYUI_SERVER}: base URLs of the ComfyUI backends, e.g. {@code http://127.0.0.1:8188}.
   * Never empty, no duplicates, no trailing slash; several mean a pool.
   */
  public List<URI> comfyUiServers() {
    return get(Keys.COMFYUI_SERVER);
  }

  /** {@code OUTPUT_DIR}: where finished images are stored, as configured (may be relative). */
  public Path outputDir() {
    return get(Keys.OUTPUT_DIR);
  }

  /** {@code JOB_DB_PATH} as a file path; empty when a JDBC URL was configured instead. */
  public Optional<Path> jobDbPath() {
    return get(Keys.JOB_DB_PATH).path();
  }

  /** {@code JOB_DB_PATH} as a JDBC URL: {@code jdbc:sqlite:<path>} for a path, else as given. */
  public String jdbcUrl() {
    return get(Keys.JOB_DB_PATH).jdbcUrl();
  }

  /**
   * {@code JOB_DB_PATH} as a store location: the file path for SQLite (its folder is created), else
   * the JDBC URL.
   */
  public String jobDbLocation() {
    return jobDbPath().map(Path::toString).orElse(jdbcUrl());
  }

  /**
   * {@code JOB_DB_PASSWORD}, a secret: do not log it. The password for a {@code jdbc:postgresql:}
   * {@code JOB_DB_PATH}; empty when none is configured.
   */
  public Optional<String> jobDbPassword() {
    String password = get(Keys.JOB_DB_PASSWORD);
    return password.isEmpty() ? Optional.empty() : Optional.of(password);
  }

  /**
   * {@code JOB_DB_JNDI}: the JNDI name of a PostgreSQL DataSource the server provides, which the web
   * application uses instead of {@code JOB_DB_PATH}; empty when none is configured.
   */
  public Optional<String> jobDbJndi() {
    String name = get(Keys.JOB_DB_JNDI);
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  // ---- Queue / timeout

  /** {@code MAX_PER_USER_QUEUE}: waiting jobs a user may have (>= 0). */
  public int maxPerUserQueue() {
    return get(Keys.MAX_PER_USER_QUEUE);
  }

  /** {@code MAX_PER_USER_CONCURRENT}: running jobs a user may have at once (>= 1). */
  public int maxPerUserConcurrent() {
    return get(Keys.MAX_PER_USER_CONCURRENT);
  }

  /** {@code JOB_TIMEOUT_SECONDS}: the longest a job may run. */
  public Duration jobTimeout() {
    return get(Keys.JOB_TIMEOUT_SECONDS);
  }

  // ---- Network timeouts

  /** {@code COMFY_HTTP_CONNECT_TIMEOUT}. */
  public Duration comfyHttpConnectTimeout() {
    return get(Keys.COMFY_HTTP_CONNECT_TIMEOUT);
  }

  /** {@code COMFY_HTTP_READ_TIMEOUT}. */
  public Duration comfyHttpReadTimeout() {
    return get(Keys.COMFY_HTTP_READ_TIMEOUT);
  }

  /** {@code COMFY_WS_CONNECT_TIMEOUT}. */
  public Duration comfyWsConnectTimeout() {
    return get(Keys.COMFY_WS_CONNECT_TIMEOUT);
  }

  /** {@code COMFY_WS_IDLE_TIMEOUT}: silence on the WebSocket during a job that counts as dead. */
  public Duration comfyWsIdleTimeout() {
    return get(Keys.COMFY_WS_IDLE_TIMEOUT);
  }

  // ---- Health

  /** {@code HEALTHZ_DISK_MIN_FREE_MB}: health fails below this much free space on OUTPUT_DIR. */
  public long healthzDiskMinFreeMb() {
    return get(Keys.HEALTHZ_DISK_MIN_FREE_MB);
  }

  /** HEALTH_CHECK_INTERVAL_SECONDS: how often health checks (ComfyUI backends included) run in the background. */
  public Duration healthCheckInterval() {
    return get(Keys.HEALTH_CHECK_INTERVAL_SECONDS);
  }

  // ---- Logs

  /** {@code LOG_LEVEL}. */
  public LogLevel logLevel() {
    return get(Keys.LOG_LEVEL);
  }

  /** {@code LOG_FORMAT}. */
  public LogFormat logFormat() {
    return get(Keys.LOG_FORMAT);
  }

  /** {@code LOG_TO_FILE}: whether logs also go to {@link #logFilePath()}. */
  public boolean logToFile() {
    return get(Keys.LOG_TO_FILE);
  }

  /** {@code LOG_FILE_PATH}. */
  public Path logFilePath() {
    return get(Keys.LOG_FILE_PATH);
  }

  /** {@code LOG_MAX_BYTES}: size at which the log file is rotated (> 0). */
  public long logMaxBytes() {
    return get(Keys.LOG_MAX_BYTES);
  }

  /** {@code LOG_BACKUP_COUNT}: rotated files kept (>= 0). */
  public int logBackupCount() {
    return get(Keys.LOG_BACKUP_COUNT);
  }

  // ---- Progress logging

  /** {@code PROGRESS_LOG_STEP}: log progress every this many percent (1-100). */
  public int progressLogStep() {
    return get(Keys.PROGRESS_LOG_STEP);
  }

  /** {@code PROGRESS_LOG_MIN_MS}: minimum time between two progress lines of one job. */
  public Duration progressLogMinInterval() {
    return get(Keys.PROGRESS_LOG_MIN_MS);
  }

  /** {@code PROGRESS_LOG_LEVEL}. */
  public LogLevel progressLogLevel() {
    return get(Keys.PROGRESS_LOG_LEVEL);
  }

  // ---- LLM prompt helper

  /** Whether the prompt helper is configured ({@code LLM_BASE_URL} is not empty). */
  public boolean llmEnabled() {
    return llmBaseUrl().isPresent();
  }

  /** {@code LLM_BASE_URL} without trailing slash; empty when the helper is disabled. */
  public Optional<URI> llmBaseUrl() {
    return get(Keys.LLM_BASE_URL);
  }

  /** {@code LLM_MODEL}; never empty when {@link #llmEnabled()}. */
  public String llmModel() {
    return get(Keys.LLM_MODEL);
  }

  /** {@code LLM_API_KEY}, a secret: do not log it. Empty when none is configured. */
  public String llmApiKey() {
    return get(Keys.LLM_API_KEY);
  }

  /**
   * {@code BOOTSTRAP_ADMIN_KEY}, a secret: do not log it. When not empty, the web application
   * accepts it as a Bearer token for the user {@code admin} with the admin role, so that a server
   * whose realm has no users yet (Payara's default) can be used and can issue API keys. Empty when
   * none is configured.
   */
  public String bootstrapAdminKey() {
    return get(Keys.BOOTSTRAP_ADMIN_KEY);
  }

  /**
   * {@code METRICS_TOKEN}, a secret: do not log it. When not empty, a caller presenting it as a
   * Bearer token may read GET /metrics (a Prometheus scraper); empty = administrators only.
   */
  public String metricsToken() {
    return get(Keys.METRICS_TOKEN);
  }

  /** {@code METRICS_PUBLIC}: GET /metrics needs no credentials (for a private network). */
  public boolean metricsPublic() {
    return get(Keys.METRICS_PUBLIC);
  }

  /** {@code LLM_TIMEOUT_SECONDS}. */
  public Duration llmTimeout() {
    return get(Keys.LLM_TIMEOUT_SECONDS);
  }

  /** {@code LLM_PROMPTS_FILE}; empty means the system prompts shipped with ComfyGate. */
  public Optional<Path> llmPromptsFile() {
    return get(Keys.LLM_PROMPTS_FILE);
  }

  /** {@code LLM_ASSIST_PER_MINUTE}: prompt helper requests one user may make per minute. */
  public int llmAssistPerMinute() {
    return get(Keys.LLM_ASSIST_PER_MINUTE);
  }

  // ---- Templates

  /** {@code TEMPLATE_DIR}; empty means the templates shipped with ComfyGate. */
  public Optional<Path> templateDir() {
    return get(Keys.TEMPLATE_DIR);
  }

  /** {@code DEFAULT_TEMPLATE}: the template used when a job names none. */
  public String defaultTemplate() {
    return get(Keys.DEFAULT_TEMPLATE);
  }

  // ---- Trash

  /** {@code TRASH_RETENTION_DAYS}: how long a deleted image stays restorable. */
  public Duration trashRetention() {
    return get(Keys.TRASH_RETENTION_DAYS);
  }

  /** {@code TRASH_SWEEP_INTERVAL_MINUTES}: time between two purges of expired trash. */
  public Duration trashSweepInterval() {
    return get(Keys.TRASH_SWEEP_INTERVAL_MINUTES);
  }

  // ---- Webhooks

  /** {@code WEBHOOK_MAX_ATTEMPTS}: attempts per webhook event before it is given up. */
  public int webhookMaxAttempts() {
    return get(Keys.WEBHOOK_MAX_ATTEMPTS);
  }

  /** {@code WEBHOOK_RETRY_HOURS}: how long after an event it is still retried. */
  public Duration webhookRetryWindow() {
    return get(Keys.WEBHOOK_RETRY_HOURS);
  }

  /** {@code WEBHOOK_TIMEOUT_SECONDS}: connect timeout, and answer timeout, of each delivery attempt. */
  public Duration webhookTimeout() {
    return get(Keys.WEBHOOK_TIMEOUT_SECONDS);
  }

  /** {@code WEBHOOK_THREADS}: receivers called at once. */
  public int webhookThreads() {
    return get(Keys.WEBHOOK_THREADS);
  }

  /**
   * {@code WEBHOOK_ALLOWED_HOSTS}: hosts, .suffixes, IP addresses and CIDR blocks receivers may be
   * on even if not public, and {@code *} for any public host; empty = any public host.
   */
  public List<String> webhookAllowedHosts() {
    return get(Keys.WEBHOOK_ALLOWED_HOSTS);
  }

  // ---- Uploads

  /** {@code UPLOAD_MAX_BYTES}: the largest input image accepted. */
  public long uploadMaxBytes() {
    return get(Keys.UPLOAD_MAX_BYTES);
  }

  /** {@code UPLOAD_RETENTION_HOURS}: how long an uploaded input image is kept. */
  public Duration uploadRetention() {
    return get(Keys.UPLOAD_RETENTION_HOURS);
  }

  /** {@code UPLOAD_MAX_PIXELS}: the most pixels (width times height) an input image may declare. */
  public long uploadMaxPixels() {
    return get(Keys.UPLOAD_MAX_PIXELS);
  }

  /** {@code UPLOAD_MAX_PER_USER}: how many uploaded images one user may keep at once. */
  public int uploadMaxPerUser() {
    return get(Keys.UPLOAD_MAX_PER_USER);
  }

  /** {@code UPLOAD_MAX_BYTES_PER_USER}: how many bytes of uploaded images one user may keep at once. */
  public long uploadMaxBytesPerUser() {
    return get(Keys.UPLOAD_MAX_BYTES_PER_USER);
  }

  // ---- External systems

  /** {@code IDEMPOTENCY_RETENTION_HOURS}: how long a submit's idempotency key is remembered. */
  public Duration idempotencyRetention() {
    return get(Keys.IDEMPOTENCY_RETENTION_HOURS);
  }

  // ---- Cluster

  /** {@code INSTANCE_ID}: this instance's id among several on one database; empty when not set. */
  public Optional<String> instanceId() {
    String id = get(Keys.INSTANCE_ID).strip();
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  /** {@code CLUSTER_HEARTBEAT_SECONDS}: time between heartbeats and lease renewals. */
  public Duration clusterHeartbeat() {
    return get(Keys.CLUSTER_HEARTBEAT_SECONDS);
  }

  /** {@code CLUSTER_LEASE_SECONDS}: how long the dispatcher lease lasts unless renewed. */
  public Duration clusterLease() {
    return get(Keys.CLUSTER_LEASE_SECONDS);
  }

  // ---- Launcher

  /** {@code APP_HOST}: address the one-command launcher listens on. */
  public String appHost() {
    return get(Keys.APP_HOST);
  }

  /** {@code APP_PORT}: port the one-command launcher listens on. */
  public int appPort() {
    return get(Keys.APP_PORT);
  }

  // ---- Reporting

  /**
   * One entry per key, in the order of {@code .env.example}: the configured value (secrets masked)
   * and where it came from. Meant for a start-up log line.
   */
  public List<SettingEntry> describe() {
    return values.values().stream()
        .map(v -> new SettingEntry(v.key().name(), v.display(), v.source()))
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * Non-fatal findings, e.g. {@code Unknown key MAX_PER_USER_QEUE in .env line 4 is ignored (did
   * you mean MAX_PER_USER_QUEUE?)}. Empty when all is well. The caller decides how to log them.
   */
  public List<String> warnings() {
    return warnings;
  }

  /** {@code Settings{KEY=value, …}} with secrets shown as {@code ****} (an empty one as empty). */
  @Override
  public String toString() {
    return values.values().stream()
        .map(v -> v.key().name() + "=" + v.display())
        .collect(Collectors.joining(", ", "Settings{", "}"));
  }

  /**
   * Collects sources and explicit values, then {@link #build()}s validated {@link Settings}. Starts
   * with no sources at all: tests and embedding code pass exactly the maps they mean, and nothing
   * is read from the process unless {@link Settings#fromEnv()} is used. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, String> code = new LinkedHashMap<>();
    private Map<String, String> systemProperties = Map.of();
    private Map<String, String> environment = Map.of();
    private Path envFile;
    private boolean envFileRequired;
    private String envFileNamedBy = "";

    private Builder() {}

    /** Values to use as system properties (copied). Replaces any earlier map. */
    public Builder systemProperties(Map<String, String> properties) {
      this.systemProperties = Map.copyOf(properties);
      return this;
    }

    /** Values to use as environment variables (copied). Replaces any earlier map. */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * A {@code .env} file to read; {@link #build()} fails if it does not exist.
     *
     * @throws NullPointerException if {@code path} is null
     */
    public Builder envFile(Path path) {
      return envFile(path, "");
    }

    Builder envFile(Path path, String namedBy) {
      this.envFile = Objects.requireNonNull(path, "path");
      this.envFileRequired = true;
      this.envFileNamedBy = namedBy;
      return this;
    }

    /** A {@code .env} file to read if it exists (like the default {@code ./.env}). */
    public Builder envFileIfPresent(Path path) {
      this.envFile = Objects.requireNonNull(path, "path");
      this.envFileRequired = false;
      return this;
    }

    /**
     * Sets a value from code; it beats every other source. The value is validated by {@link
     * #build()} like any other.
     *
     * @throws IllegalArgumentException if {@code key} is not a known setting
     */
    public Builder set(String key, String value) {
      Objects.requireNonNull(value, "value");
      if (Keys.byName(key).isEmpty()) {
        String hint = KeySuggestions.closest(key).map(k -> " (did you mean " + k + "?)").orElse("");
        throw new IllegalArgumentException("Unknown setting " + key + hint);
      }
      code.put(key, value);
      return this;
    }

    /**
     * Reads the {@code .env} file if any, applies precedence and validates every key.
     *
     * @throws InvalidSettingsException listing every bad value, or naming the {@code .env} file
     *     when it is missing (if required), unreadable or malformed
     */
    public Settings build() {
      EnvFile file = null;
      if (envFile != null) {
        if (Files.exists(envFile)) {
          file = EnvFile.read(envFile, environment::get);
        } else if (envFileRequired) {
          String by = envFileNamedBy.isEmpty() ? "" : " (" + envFileNamedBy + ")";
          throw new InvalidSettingsException(
              List.of("Env file " + envFile + by + " does not exist"));
        }
      }
      return new SettingsResolver(code, systemProperties, environment, file).resolve();
    }
  }
}
