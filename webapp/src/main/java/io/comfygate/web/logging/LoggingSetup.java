package io.comfygate.web.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.RollingPolicy;
import ch.qos.logback.core.rolling.RollingPolicyBase;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.comfygate.config.LogFormat;
import io.comfygate.config.Settings;
import net.logstash.logback.encoder.LogstashEncoder;
import java.io.File;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging from the settings: LOG_LEVEL; LOG_FORMAT json (one JSON object per line, with
 * every key-value of the event as a field) or text; to the console and, with LOG_TO_FILE, to
 * LOG_FILE_PATH, rolled at LOG_MAX_BYTES keeping LOG_BACKUP_COUNT old files ({@code app.log.1} is
 * the newest; with LOG_BACKUP_COUNT=0 the file is emptied when it is full and no old file is kept).
 * Configured in code so that the same settings file drives it as everything else.
 *
 * <p>Each appender sits behind a logback {@link AsyncAppender}: lines are encoded on its own worker
 * thread, never on the caller's. That is what keeps a redeploy clean: the JSON encoder caches its
 * generator in a ThreadLocal of every thread that encodes, and on the server's request threads such
 * a value (a class of this web application) would outlive the undeploy and pin its class loader.
 * The queue never drops a line (no discarding threshold; callers wait when it is full).
 *
 * <p>{@link #close()} stops the appenders: the workers write what is queued (bounded wait) and end,
 * and the file is closed, so undeploy leaves no logging thread or open file behind.
 */
public final class LoggingSetup implements AutoCloseable {
  private final LoggerContext context;

  private LoggingSetup(LoggerContext context) {
    this.context = context;
  }

  /** Configures this web application's logback context; without logback, does nothing. */
  public static LoggingSetup apply(Settings settings) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return new LoggingSetup(null);
    }
    context.reset();
    // A context that a previous close() stopped stays mute until it is started again.
    context.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(settings.logLevel().name(), Level.INFO));
    // Libraries stay at WARN unless asked for DEBUG: their INFO lines are noise for an operator.
    for (String noisy : new String[] {"com.zaxxer.hikari", "org.glassfish", "org.apache"}) {
      context.getLogger(noisy).setLevel(root.getLevel().isGreaterOrEqual(Level.INFO) ? Level.WARN : root.getLevel());
    }

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder(context, settings.logFormat()));
    console.start();
    root.addAppender(async(context, console));

    if (settings.logToFile()) {
      String file = settings.logFilePath().toString();
      RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
      rolling.setContext(context);
      rolling.setName("file");
      rolling.setFile(file);
      RollingPolicy policy;
      if (settings.logBackupCount() == 0) {
        policy = new TruncatingPolicy();
      } else {
        FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
        window.setFileNamePattern(file + ".%i");
        window.setMinIndex(1);
        window.setMaxIndex(settings.logBackupCount());
        policy = window;
      }
      ((RollingPolicyBase) policy).setContext(context);
      policy.setParent(rolling);
      policy.start();
      SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
      trigger.setContext(context);
      trigger.setMaxFileSize(new FileSize(settings.logMaxBytes()));
      // Logback looks at the file size at most every 60 ms by default; a burst of lines could then
      // run far past LOG_MAX_BYTES. The worker thread is the only writer, so looking each time is cheap.
      trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
      trigger.start();
      rolling.setRollingPolicy(policy);
      rolling.setTriggeringPolicy(trigger);
      rolling.setEncoder(encoder(context, settings.logFormat()));
      rolling.start();
      root.addAppender(async(context, rolling));
    }
    return new LoggingSetup(context);
  }

  /** {@code appender} behind a worker thread that never drops a line. */
  private static Appender<ILoggingEvent> async(LoggerContext context, Appender<ILoggingEvent> appender) {
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("comfygate-log-" + appender.getName());
    async.setDiscardingThreshold(0);
    async.setNeverBlock(false);
    async.setMaxFlushTime(5_000);
    async.addAppender(appender);
    async.start();
    return async;
  }

  /**
   * LOG_BACKUP_COUNT=0: a full log file is deleted and started afresh (logback's fixed window
   * keeps at least one old file, which would not be what the operator asked for).
   */
  private static final class TruncatingPolicy extends RollingPolicyBase {
    @Override
    public void rollover() {
      File active = new File(getActiveFileName());
      if (active.exists() && !active.delete()) {
        addWarn("Could not delete the full log file " + active);
      }
    }

    @Override
    public String getActiveFileName() {
      return getParentsRawFileProperty();
    }
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format) {
    if (format == LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg %kvp%n");
    text.start();
    return text;
  }

  /** Stops every appender of this application's logging. */
  @Override
  public void close() {
    if (context != null) {
      context.stop();
    }
  }
}
