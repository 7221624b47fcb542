package io.comfygate.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes one structured log line per job event (logger {@code io.comfygate.jobs}): the message is
 * the event name and the key-values carry event, job_id, user_id, template, state, backend,
 * prompt_id, and percent or error where they apply. With the JSON encoder each key becomes a
 * field. Progress lines are thinned out by {@link ProgressThrottle} and written at
 * PROGRESS_LOG_LEVEL. Runs on the engine's event thread, so lines come in event order.
 */
final class JobEventLogger implements JobListener {
  private static final Logger LOG = LoggerFactory.getLogger("io.comfygate.jobs");

  private final int step;
  private final long minMillis;
  private final Level progressLevel;
  private final Clock clock;
  private final Map<String, ProgressThrottle> throttles = new ConcurrentHashMap<>();

  JobEventLogger(int step, Duration minInterval, Level progressLevel, Clock clock) {
    this.step = step;
    this.minMillis = minInterval.toMillis();
    this.progressLevel = progressLevel;
    this.clock = clock;
  }

  @Override
  public void onEvent(JobEvent event) {
    Job job = event.job();
    String id = job.id().value();
    LoggingEventBuilder line;
    if (event instanceof JobEvent.Progress) {
      ProgressThrottle throttle = throttles.computeIfAbsent(id, k -> new ProgressThrottle(step, minMillis));
      if (!throttle.shouldLog(job.progress().percent(), clock.millis())) {
        return;
      }
      line = LOG.atLevel(progressLevel).addKeyValue("percent", job.progress().percent());
      if (job.progress().node() != null) {
        line = line.addKeyValue("node", job.progress().node());
      }
    } else if (event instanceof JobEvent.Failed || event instanceof JobEvent.TimedOut) {
      line = LOG.atWarn().addKeyValue("error", job.error());
    } else if (event instanceof JobEvent.Enqueued) {
      line = LOG.atInfo().addKeyValue("position", job.position());
    } else if (event instanceof JobEvent.Completed) {
      line = LOG.atInfo().addKeyValue("images", job.images().size());
    } else {
      line = LOG.atInfo();
    }
    if (job.state().isTerminal()) {
      throttles.remove(id);
    }
    line = line.setMessage(event.name())
        .addKeyValue("event", event.name())
        .addKeyValue("job_id", id)
        .addKeyValue("user_id", job.userId())
        .addKeyValue("template", job.template())
        .addKeyValue("state", job.state().wireName());
    if (job.backend() != null) {
      line = line.addKeyValue("backend", job.backend()).addKeyValue("prompt_id", job.id().promptId());
    }
    line.log();
  }
}
