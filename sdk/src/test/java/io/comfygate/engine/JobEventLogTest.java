package io.comfygate.engine;

import static io.comfygate.engine.EngineTests.awaitState;
import static io.comfygate.engine.EngineTests.small;
import static io.comfygate.engine.EngineTests.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.testkit.FakeComfyUi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The job event log as operators read it: JSON lines (LogstashEncoder, as in production) on
 * logger {@code io.comfygate.jobs}, in the order of SPEC §4 and the runbook's rehearsal checklist:
 * enqueue → job_start → job_progress (stepped) → job_complete | job_error | job_cancel | job_timeout.
 */
class JobEventLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ENDINGS = Set.of("job_complete", "job_error", "job_cancel", "job_timeout");

  // 8 sampler steps: the sampler reports 13, 25, 38, 50, 63, 75, 88, 99 %.
  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture(FakeComfyUi.builder().steps(8).stepDelay(Duration.ofMillis(20)));

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private OutputStreamAppender<ILoggingEvent> appender;
  private Logger jobsLogger;
  private Level previousLevel;
  private boolean previousAdditive;

  @BeforeEach
  void captureJobLog() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setName("job-log-capture");
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(captured);
    appender.start();
    jobsLogger = context.getLogger("io.comfygate.jobs");
    previousLevel = jobsLogger.getLevel();
    previousAdditive = jobsLogger.isAdditive();
    jobsLogger.setLevel(Level.INFO);
    jobsLogger.setAdditive(false); // keep the console as quiet as logback-test.xml wants it
    jobsLogger.addAppender(appender);
  }

  @AfterEach
  void release() throws Exception {
    ENGINE.closeAll(); // the engines' last lines go to the capture, not the console
    jobsLogger.detachAppender(appender);
    appender.stop();
    jobsLogger.setLevel(previousLevel);
    jobsLogger.setAdditive(previousAdditive);
  }

  private static JobEngine engine(Consumer<JobEngine.Builder> tweak) {
    return ENGINE.start(b -> tweak.accept(b.progressLog(25, Duration.ZERO, org.slf4j.event.Level.INFO)));
  }

  /** Every captured line, parsed. */
  private List<JsonNode> lines() {
    String text = captured.toString(StandardCharsets.UTF_8); // synchronized with the appender's writes
    List<JsonNode> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        try {
          out.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException("not a JSON line: " + line, e);
        }
      }
    }
    return out;
  }

  private List<JsonNode> linesOf(JobId id) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode line : lines()) {
      if (line.path("job_id").asText().equals(id.value())) {
        out.add(line);
      }
    }
    return out;
  }

  /** Waits for the job's final line (written on the event thread, after the state is stored). */
  private List<JsonNode> awaitEndingLine(JobId id) {
    waitUntil("the last log line of " + id, () -> linesOf(id).stream()
        .anyMatch(l -> ENDINGS.contains(l.path("event").asText())));
    return linesOf(id);
  }

  private static List<String> events(List<JsonNode> lines) {
    List<String> out = new ArrayList<>();
    lines.forEach(l -> out.add(l.path("event").asText()));
    return out;
  }

  /** What every line must say: the event as message and field, who, and where once dispatched. */
  private void assertIdentified(List<JsonNode> lines, JobId id, String user) {
    assertThat(lines).isNotEmpty();
    for (JsonNode line : lines) {
      String event = line.path("event").asText();
      assertThat(line.path("message").asText()).as("message of %s", line).isEqualTo(event);
      assertThat(line.path("job_id").asText()).isEqualTo(id.value());
      assertThat(line.path("user_id").asText()).as("user_id of %s", line).isEqualTo(user);
      assertThat(line.path("template").asText()).isEqualTo("txt2img");
      assertThat(line.path("logger_name").asText()).isEqualTo("io.comfygate.jobs");
      if (!event.equals("enqueue")) {
        assertThat(line.path("backend").asText()).as("backend of %s", line)
            .isEqualTo(ENGINE.comfy().baseUrl().getAuthority());
        assertThat(line.path("prompt_id").asText()).as("prompt_id of %s", line).isEqualTo(id.promptId());
      }
    }
  }

  /** enqueue, job_start, then progress lines only, then {@code ending}; returns the progress lines. */
  private static List<JsonNode> assertLifecycle(List<JsonNode> lines, String ending) {
    List<String> events = events(lines);
    assertThat(events).as("events").hasSizeGreaterThanOrEqualTo(3);
    assertThat(events.get(0)).isEqualTo("enqueue");
    assertThat(events.get(1)).isEqualTo("job_start");
    assertThat(events.get(events.size() - 1)).isEqualTo(ending);
    assertThat(events.subList(2, events.size() - 1)).as("between start and end")
        .allMatch("job_progress"::equals);
    return lines.subList(2, lines.size() - 1);
  }

  /** Alice's job ends in {@code state}: its lines are in order and its last one is a WARN; returns that. */
  private JsonNode assertWarningEnding(JobEngine engine, JobId id, JobState state, String event) {
    awaitState(engine, id, state);
    List<JsonNode> lines = awaitEndingLine(id);
    assertIdentified(lines, id, "alice");
    assertLifecycle(lines, event);
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.path("level").asText()).isEqualTo("WARN");
    assertThat(last.path("state").asText()).isEqualTo(state.wireName());
    return last;
  }

  @Test
  void twoJobsLogEnqueueStartSteppedProgressAndCompleteInOrder() {
    JobEngine engine = engine(b -> { });
    JobId alice = engine.submit("alice", null, small("log a")).id();
    JobId bob = engine.submit("bob", null, small("log b")).id();
    awaitState(engine, alice, JobState.SUCCEEDED);
    awaitState(engine, bob, JobState.SUCCEEDED);

    for (JobId id : List.of(alice, bob)) {
      List<JsonNode> lines = awaitEndingLine(id);
      assertIdentified(lines, id, id.equals(alice) ? "alice" : "bob");
      List<JsonNode> progress = assertLifecycle(lines, "job_complete");
      assertThat(progress).as("progress lines of %s", id).isNotEmpty();
      List<Integer> percents = new ArrayList<>();
      for (JsonNode line : progress) {
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.has("percent")).as("percent in %s", line).isTrue();
        percents.add(line.path("percent").asInt());
      }
      assertThat(percents).as("stepped by 25").allMatch(p -> p > 0 && p % 25 == 0).isSorted().doesNotHaveDuplicates();
      assertThat(percents.stream().filter(p -> p == 100).count()).isLessThanOrEqualTo(1);
      // 8 steps report 25, 50 and 75 % among others: each crossing is logged once, nothing between.
      assertThat(percents).containsSubsequence(25, 50, 75);
      JsonNode complete = lines.get(lines.size() - 1);
      assertThat(complete.path("state").asText()).isEqualTo("succeeded");
      assertThat(complete.path("images").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aFailedJobEndsWithJobErrorCarryingTheReason() {
    ENGINE.comfy().failAtNode("8", "CUDA out of memory");
    JobEngine engine = engine(b -> { });
    JobId id = engine.submit("alice", null, small("boom")).id();

    JsonNode error = assertWarningEnding(engine, id, JobState.FAILED, "job_error");
    assertThat(error.path("error").asText()).contains("VAEDecode #8").contains("CUDA out of memory");
  }

  @Test
  void aCancelledRunningJobEndsWithJobCancel() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(400));
    JobEngine engine = engine(b -> { });
    JobId id = engine.submit("alice", null, small("stop")).id();
    awaitState(engine, id, JobState.RUNNING);
    engine.cancel(id, "alice");
    awaitState(engine, id, JobState.CANCELLED);

    List<JsonNode> lines = awaitEndingLine(id);
    assertIdentified(lines, id, "alice");
    assertLifecycle(lines, "job_cancel");
    assertThat(lines.get(lines.size() - 1).path("state").asText()).isEqualTo("cancelled");
  }

  @Test
  void aJobOverTheTimeoutEndsWithJobTimeoutCarryingTheReason() {
    ENGINE.comfy().slowNodes(Duration.ofMillis(500));
    JobEngine engine = engine(b -> b.jobTimeout(Duration.ofMillis(700)));
    JobId id = engine.submit("alice", null, small("slow")).id();

    JsonNode timeout = assertWarningEnding(engine, id, JobState.TIMEOUT, "job_timeout");
    assertThat(timeout.path("error").asText()).contains("job timeout");
  }
}
