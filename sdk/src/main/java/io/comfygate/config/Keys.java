package io.comfygate.config;

import static io.comfygate.config.Parsers.bool;
import static io.comfygate.config.Parsers.oneOf;
import static io.comfygate.config.Parsers.positiveSeconds;
import static io.comfygate.config.Parsers.wholeInt;
import static io.comfygate.config.Parsers.wholeNumber;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The key table: the single definition of every setting (name, default, rule, description,
 * secrecy). Parsing, {@link Settings#describe()}, the masking in {@code toString()} and the test that
 * keeps {@code .env.example} in step all read this one list, so they cannot drift apart.
 *
 * <p>Order matters: it is the order of {@code describe()}, of {@code toString()} and of {@code
 * .env.example}, grouped as in the runbook.
 */
final class Keys {
  /** Names the .env file; read from system properties and environment only, never from .env. */
  static final String ENV_FILE_KEY = "COMFYGATE_ENV_FILE";

  private static final int INT_MAX = Integer.MAX_VALUE;

  // ComfyUI / output / DB
  static final Key<List<URI>> COMFYUI_SERVER =
      Key.of("COMFYUI_SERVER", "127.0.0.1:8188", ServerListParser.parser(),
          "ComfyUI backends: comma-separated host:port or http(s)://host:port; several = a pool");
  static final Key<Path> OUTPUT_DIR =
      Key.of("OUTPUT_DIR", "./outputs/", Parsers.path(), "Where finished images are stored");
  static final Key<DbLocation> JOB_DB_PATH =
      Key.of("JOB_DB_PATH", "db/app_data.db", Parsers.dbLocation(),
          "SQLite file for jobs and images, or a JDBC URL (jdbc:sqlite:..., jdbc:postgresql://host:5432/db?user=...)");
  static final Key<String> JOB_DB_PASSWORD =
      Key.secret("JOB_DB_PASSWORD", "", Parsers.anyText(),
          "Password for a jdbc:postgresql: JOB_DB_PATH (secret, never logged); empty = none (trust, .pgpass)");
  static final Key<String> JOB_DB_JNDI =
      Key.of("JOB_DB_JNDI", "", Parsers.jndiName(),
          "In the WAR: JNDI name of the server's PostgreSQL DataSource (e.g. java:comp/env/jdbc/comfygate), used"
              + " instead of JOB_DB_PATH; empty = none");

  // Queue / timeout
  static final Key<Integer> MAX_PER_USER_QUEUE =
      Key.of("MAX_PER_USER_QUEUE", "3", wholeInt("", 0, INT_MAX),
          "Waiting jobs a user may have; one more is refused with 429");
  static final Key<Integer> MAX_PER_USER_CONCURRENT =
      Key.of("MAX_PER_USER_CONCURRENT", "1", wholeInt("", 1, INT_MAX),
          "Running jobs a user may have at once");
  static final Key<Duration> JOB_TIMEOUT_SECONDS =
      Key.of("JOB_TIMEOUT_SECONDS", "180",
          wholeNumber("seconds", 1, Long.MAX_VALUE).map(Duration::ofSeconds),
          "A job running longer is interrupted on ComfyUI and ends as timeout");

  // Network timeouts
  static final Key<Duration> COMFY_HTTP_CONNECT_TIMEOUT =
      Key.of("COMFY_HTTP_CONNECT_TIMEOUT", "3", positiveSeconds(),
          "Seconds to open an HTTP connection to ComfyUI (decimals allowed)");
  static final Key<Duration> COMFY_HTTP_READ_TIMEOUT =
      Key.of("COMFY_HTTP_READ_TIMEOUT", "10", positiveSeconds(),
          "Seconds to wait for a ComfyUI HTTP response (decimals allowed)");
  static final Key<Duration> COMFY_WS_CONNECT_TIMEOUT =
      Key.of("COMFY_WS_CONNECT_TIMEOUT", "5", positiveSeconds(),
          "Seconds to open the ComfyUI WebSocket (decimals allowed)");
  static final Key<Duration> COMFY_WS_IDLE_TIMEOUT =
      Key.of("COMFY_WS_IDLE_TIMEOUT", "120", positiveSeconds(),
          "Seconds without a WebSocket message while a job runs before the link is deemed dead");

  // Health
  static final Key<Long> HEALTHZ_DISK_MIN_FREE_MB =
      Key.of("HEALTHZ_DISK_MIN_FREE_MB", "1024", wholeNumber("megabytes", 0, Long.MAX_VALUE),
          "Health fails when OUTPUT_DIR's volume has less free space than this (MB)");
  static final Key<Duration> HEALTH_CHECK_INTERVAL_SECONDS =
      Key.of("HEALTH_CHECK_INTERVAL_SECONDS", "5", positiveSeconds(),
          "Seconds between background health checks; a ComfyUI that stops answering is noticed within this");

  // Logs
  static final Key<LogLevel> LOG_LEVEL =
      Key.of("LOG_LEVEL", "INFO", oneOf(LogLevel.class, false),
          "Root log level: TRACE, DEBUG, INFO, WARN or ERROR");
  static final Key<LogFormat> LOG_FORMAT =
      Key.of("LOG_FORMAT", "json", oneOf(LogFormat.class, true),
          "Log line format: json or text");
  static final Key<Boolean> LOG_TO_FILE =
      Key.of("LOG_TO_FILE", "true", bool(),
          "Also write logs to LOG_FILE_PATH: true or false (1/0, yes/no also accepted)");
  static final Key<Path> LOG_FILE_PATH =
      Key.of("LOG_FILE_PATH", "logs/app.log", Parsers.path(),
          "Log file, rotated at LOG_MAX_BYTES keeping LOG_BACKUP_COUNT old files");
  static final Key<Long> LOG_MAX_BYTES =
      Key.of("LOG_MAX_BYTES", "1048576", wholeNumber("bytes", 1, Long.MAX_VALUE),
          "Size at which the log file is rotated (bytes)");
  static final Key<Integer> LOG_BACKUP_COUNT =
      Key.of("LOG_BACKUP_COUNT", "3", wholeInt("", 0, INT_MAX), "Rotated log files to keep");

  // Progress logging
  static final Key<Integer> PROGRESS_LOG_STEP =
      Key.of("PROGRESS_LOG_STEP", "20", wholeInt("", 1, 100),
          "Log job progress every this many percent (1-100)");
  static final Key<Duration> PROGRESS_LOG_MIN_MS =
      Key.of("PROGRESS_LOG_MIN_MS", "1000",
          wholeNumber("milliseconds", 0, Long.MAX_VALUE).map(Duration::ofMillis),
          "Minimum milliseconds between two progress lines of one job");
  static final Key<LogLevel> PROGRESS_LOG_LEVEL =
      Key.of("PROGRESS_LOG_LEVEL", "info", oneOf(LogLevel.class, true),
          "Level of job progress lines: trace, debug, info, warn or error");

  // LLM prompt helper
  static final Key<Optional<URI>> LLM_BASE_URL =
      Key.of("LLM_BASE_URL", "", Parsers.optionalHttpUrl(),
          "OpenAI-compatible endpoint for the prompt helper; empty = disabled");
  static final Key<String> LLM_MODEL =
      Key.of("LLM_MODEL", "", Parsers.anyText(),
          "Model name for the prompt helper (required when LLM_BASE_URL is set)");
  static final Key<String> LLM_API_KEY =
      Key.secret("LLM_API_KEY", "", Parsers.anyText(),
          "API key for the prompt helper (secret, never logged); empty = none");
  static final Key<Duration> LLM_TIMEOUT_SECONDS =
      Key.of("LLM_TIMEOUT_SECONDS", "20", positiveSeconds(),
          "Seconds to wait for the prompt helper (decimals allowed)");
  static final Key<Optional<Path>> LLM_PROMPTS_FILE =
      Key.of("LLM_PROMPTS_FILE", "", Parsers.optionalPath(),
          "Properties file with the prompt helper's system prompts (translate, expand); empty = the shipped ones");
  static final Key<Integer> LLM_ASSIST_PER_MINUTE =
      Key.of("LLM_ASSIST_PER_MINUTE", "10", wholeInt("", 1, INT_MAX),
          "Prompt helper requests one user may make per minute; one more is refused with 429");

  // Templates
  static final Key<Optional<Path>> TEMPLATE_DIR =
      Key.of("TEMPLATE_DIR", "", Parsers.optionalPath(),
          "Directory of workflow templates; empty = the shipped templates");
  static final Key<String> DEFAULT_TEMPLATE =
      Key.of("DEFAULT_TEMPLATE", "txt2img", Parsers.name(), "Template used when a job names none");

  // Trash
  static final Key<Duration> TRASH_RETENTION_DAYS =
      Key.of("TRASH_RETENTION_DAYS", "30",
          wholeNumber("days", 0, Long.MAX_VALUE / 86_400).map(Duration::ofDays),
          "Days a deleted image stays in the trash before it is purged");
  static final Key<Duration> TRASH_SWEEP_INTERVAL_MINUTES =
      Key.of("TRASH_SWEEP_INTERVAL_MINUTES", "60",
          wholeNumber("minutes", 1, Long.MAX_VALUE / 60).map(Duration::ofMinutes),
          "Minutes between two purges of expired trash");

  // Webhooks
  static final Key<Integer> WEBHOOK_MAX_ATTEMPTS =
      Key.of("WEBHOOK_MAX_ATTEMPTS", "15", wholeInt("", 1, 1000),
          "Attempts to deliver one webhook event before it is given up");
  static final Key<Duration> WEBHOOK_RETRY_HOURS =
      Key.of("WEBHOOK_RETRY_HOURS", "24",
          wholeNumber("hours", 1, 24L * 365).map(Duration::ofHours),
          "Hours a webhook event is retried (exponential backoff with jitter) before it is given up");
  static final Key<Duration> WEBHOOK_TIMEOUT_SECONDS =
      Key.of("WEBHOOK_TIMEOUT_SECONDS", "10", positiveSeconds(),
          "Seconds to connect to a webhook receiver, and again to wait for its answer (decimals allowed)");
  static final Key<Integer> WEBHOOK_THREADS =
      Key.of("WEBHOOK_THREADS", "4", wholeInt("", 1, 64),
          "Webhook receivers called at once (events of one job always go one after another)");
  static final Key<List<String>> WEBHOOK_ALLOWED_HOSTS =
      Key.of("WEBHOOK_ALLOWED_HOSTS", "", Parsers.hostList(),
          "Webhook receivers allowed even on private or loopback addresses: comma-separated names,"
              + " .suffixes, IPs or CIDR blocks, plus * for any public host; empty = public hosts only");
  // Uploads
  static final Key<Long> UPLOAD_MAX_BYTES =
      Key.of("UPLOAD_MAX_BYTES", "20971520", wholeNumber("bytes", 1, Integer.MAX_VALUE),
          "Largest input image accepted by POST /api/v1/uploads (bytes); larger is refused with 413");
  static final Key<Duration> UPLOAD_RETENTION_HOURS =
      Key.of("UPLOAD_RETENTION_HOURS", "24",
          wholeNumber("hours", 1, Long.MAX_VALUE / 3600).map(Duration::ofHours),
          "Hours an uploaded input image is kept (removed at the trash sweeps after that)");
  static final Key<Long> UPLOAD_MAX_PIXELS =
      Key.of("UPLOAD_MAX_PIXELS", "16777216", wholeNumber("pixels", 1, 16384L * 16384),
          "Most pixels (width x height, read from the header) an input image may have; more is refused with 400");
  static final Key<Integer> UPLOAD_MAX_PER_USER =
      Key.of("UPLOAD_MAX_PER_USER", "100", wholeInt("", 1, INT_MAX),
          "Uploaded images one user may keep at once (until UPLOAD_RETENTION_HOURS); one more is refused with 429");
  static final Key<Long> UPLOAD_MAX_BYTES_PER_USER =
      Key.of("UPLOAD_MAX_BYTES_PER_USER", "268435456", wholeNumber("bytes", 1, Long.MAX_VALUE),
          "Bytes of uploaded images one user may keep at once (until UPLOAD_RETENTION_HOURS); more is refused with 413");

  // Auth
  static final Key<String> BOOTSTRAP_ADMIN_KEY =
      Key.secret("BOOTSTRAP_ADMIN_KEY", "", Parsers.anyText(),
          "Bearer token accepted as user \"admin\" with the admin role (secret, never logged); empty = none");

  // Metrics
  static final Key<String> METRICS_TOKEN =
      Key.secret("METRICS_TOKEN", "", Parsers.anyText(),
          "Bearer token a Prometheus scraper presents for GET /metrics (secret, never logged); empty = admins only");
  static final Key<Boolean> METRICS_PUBLIC =
      Key.of("METRICS_PUBLIC", "false", bool(),
          "true = GET /metrics needs no credentials at all (only on a private network)");
  // External systems
  static final Key<Duration> IDEMPOTENCY_RETENTION_HOURS =
      Key.of("IDEMPOTENCY_RETENTION_HOURS", "24",
          wholeNumber("hours", 1, Long.MAX_VALUE / 3_600).map(Duration::ofHours),
          "Hours a submit's Idempotency-Key is remembered: a retry within them returns the first job");

  // Cluster (several instances on one PostgreSQL database)
  static final Key<String> INSTANCE_ID =
      Key.of("INSTANCE_ID", "", Parsers.anyText(),
          "This instance's id among several on one PostgreSQL database; empty = host name + random suffix");
  static final Key<Duration> CLUSTER_HEARTBEAT_SECONDS =
      Key.of("CLUSTER_HEARTBEAT_SECONDS", "1", positiveSeconds(),
          "Seconds between an instance's heartbeats (and dispatcher lease renewals) on PostgreSQL");
  static final Key<Duration> CLUSTER_LEASE_SECONDS =
      Key.of("CLUSTER_LEASE_SECONDS", "5", positiveSeconds(),
          "Seconds the dispatcher lease lasts unless renewed: a dead dispatcher is replaced within about this");

  // Launcher
  static final Key<String> APP_HOST =
      Key.of("APP_HOST", "127.0.0.1", Parsers.host(),
          "Address the one-command launcher listens on");
  static final Key<Integer> APP_PORT =
      Key.of("APP_PORT", "8000", wholeInt("", 1, 65535),
          "Port the one-command launcher listens on (1-65535)");

  static final List<Key<?>> ALL =
      List.of(
          COMFYUI_SERVER, OUTPUT_DIR, JOB_DB_PATH, JOB_DB_PASSWORD, JOB_DB_JNDI,
          MAX_PER_USER_QUEUE, MAX_PER_USER_CONCURRENT, JOB_TIMEOUT_SECONDS,
          COMFY_HTTP_CONNECT_TIMEOUT, COMFY_HTTP_READ_TIMEOUT,
          COMFY_WS_CONNECT_TIMEOUT, COMFY_WS_IDLE_TIMEOUT,
          HEALTHZ_DISK_MIN_FREE_MB, HEALTH_CHECK_INTERVAL_SECONDS,
          LOG_LEVEL, LOG_FORMAT, LOG_TO_FILE, LOG_FILE_PATH, LOG_MAX_BYTES, LOG_BACKUP_COUNT,
          PROGRESS_LOG_STEP, PROGRESS_LOG_MIN_MS, PROGRESS_LOG_LEVEL,
          LLM_BASE_URL, LLM_MODEL, LLM_API_KEY, LLM_TIMEOUT_SECONDS, LLM_PROMPTS_FILE, LLM_ASSIST_PER_MINUTE,
          TEMPLATE_DIR, DEFAULT_TEMPLATE,
          TRASH_RETENTION_DAYS, TRASH_SWEEP_INTERVAL_MINUTES,
          WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_HOURS, WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_THREADS,
          WEBHOOK_ALLOWED_HOSTS,
          UPLOAD_MAX_BYTES, UPLOAD_RETENTION_HOURS, UPLOAD_MAX_PIXELS, UPLOAD_MAX_PER_USER, UPLOAD_MAX_BYTES_PER_USER,
          BOOTSTRAP_ADMIN_KEY,
          METRICS_TOKEN, METRICS_PUBLIC,
          IDEMPOTENCY_RETENTION_HOURS,
          INSTANCE_ID, CLUSTER_HEARTBEAT_SECONDS, CLUSTER_LEASE_SECONDS,
          APP_HOST, APP_PORT);

  private static final Map<String, Key<?>> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Key::name, Function.identity()));

  private Keys() {}

  /** The key with this exact (case-sensitive) name, if it is one of ours. */
  static Optional<Key<?>> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}
