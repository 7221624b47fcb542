package io.comfygate.web.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import io.comfygate.config.LogFormat;
import io.comfygate.config.Settings;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging from the settings: LOG_LEVEL; LOG_FORMAT json (one JSON object per line, with
 * every key-value of the event as a field) or text; to the console and, with LOG_TO_FILE, to
 * LOG_FILE_PATH, rolled at LOG_MAX_BYTES keeping LOG_BACKUP_COUNT old files. Configured in code so
 * that the same settings file drives it as everything else. {@link #close()} stops the appenders
 * (undeploy leaves no logging thread or open file behind).
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
    root.addAppender(console);

    if (settings.logToFile()) {
      String file = settings.logFilePath().toString();
      RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
      rolling.setContext(context);
      rolling.setName("file");
      rolling.setFile(file);
      FixedWindowRollingPolicy policy = new FixedWindowRollingPolicy();
      policy.setContext(context);
      policy.setParent(rolling);
      policy.setFileNamePattern(file + ".%i");
      policy.setMinIndex(1);
      policy.setMaxIndex(Math.max(1, settings.logBackupCount()));
      policy.start();
      SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
      trigger.setContext(context);
      trigger.setMaxFileSize(new FileSize(settings.logMaxBytes()));
      trigger.start();
      rolling.setRollingPolicy(policy);
      rolling.setTriggeringPolicy(trigger);
      rolling.setEncoder(encoder(context, settings.logFormat()));
      rolling.start();
      root.addAppender(rolling);
    }
    return new LoggingSetup(context);
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
