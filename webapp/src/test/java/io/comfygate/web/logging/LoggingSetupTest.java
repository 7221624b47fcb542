package io.comfygate.web.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.comfygate.config.Settings;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** LoggingSetup with real files: what the lines look like, the level, rolling, and no file when off. */
class LoggingSetupTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger("io.comfygate.test");

  @TempDir Path dir;
  private LoggingSetup logging;

  @AfterEach
  void stopLogging() {
    if (logging != null) {
      logging.close();
    }
  }

  private Path logFile() {
    return dir.resolve("logs").resolve("app.log");
  }

  private Settings.Builder settings() {
    return Settings.builder().set("LOG_FILE_PATH", logFile().toString()).set("LOG_TO_FILE", "true");
  }

  /** Closing flushes the asynchronous appenders: after it, the file holds every line. */
  private List<String> closeAndRead() throws IOException {
    logging.close();
    logging = null;
    return Files.readAllLines(logFile(), StandardCharsets.UTF_8);
  }

  @Test
  void jsonLinesParseAndCarryAnEngineJobEventsKeyValuesAsFields() throws Exception {
    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "json").build());
    try (FakeComfyUi comfy = FakeComfyUi.builder().steps(2).start();
         JobEngine engine = JobEngine.builder()
             .settings(Settings.builder()
                 .set("COMFYUI_SERVER", "127.0.0.1:" + comfy.port())
                 .set("OUTPUT_DIR", dir.resolve("out").toString())
                 .set("JOB_DB_PATH", dir.resolve("db").resolve("jobs.db").toString())
                 .set("HEALTHZ_DISK_MIN_FREE_MB", "0")
                 .build())
             .build()) {
      var params = JsonNodeFactory.instance.objectNode().put("prompt", "a cat").put("width", 64).put("height", 64).put("steps", 2);
      Job job = engine.submit("alice", null, params);
      engine.await(job.id(), Duration.ofSeconds(20));

      List<JsonNode> lines = new ArrayList<>();
      for (String line : closeAndRead()) {
        lines.add(JSON.readTree(line)); // every line is one JSON object
      }
      JsonNode complete = lines.stream().filter(l -> "job_complete".equals(l.path("event").asText())).findFirst()
          .orElseThrow(() -> new AssertionError("no job_complete line in " + lines));
      assertThat(complete.path("job_id").asText()).isEqualTo(job.id().toString());
      assertThat(complete.path("user_id").asText()).isEqualTo("alice");
      assertThat(complete.path("level").asText()).isEqualTo("INFO");
      assertThat(complete.has("@timestamp")).isTrue();
      assertThat(lines).anySatisfy(l -> assertThat(l.path("event").asText()).isEqualTo("enqueue"));
    }
  }

  @Test
  void textLinesAreReadableWithLevelLoggerMessageAndKeyValues() throws IOException {
    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "text").build());
    LOG.atInfo().setMessage("job done").addKeyValue("job_id", "j-42").log();

    List<String> lines = closeAndRead();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*io\\.comfygate\\.test - job done job_id=\"j-42\"")
        .doesNotStartWith("{");
  }

  @Test
  void logLevelHidesWhatIsBelowIt() throws IOException {
    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "text").set("LOG_LEVEL", "INFO").build());
    LOG.debug("hidden debug");
    LOG.info("shown info");
    assertThat(closeAndRead()).noneMatch(l -> l.contains("hidden debug")).anyMatch(l -> l.contains("shown info"));

    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "text").set("LOG_LEVEL", "DEBUG").build());
    LOG.debug("now shown debug");
    assertThat(closeAndRead()).anyMatch(l -> l.contains("now shown debug"));
  }

  @Test
  void theFileRollsAtMaxBytesKeepingBackupCountOldFiles() throws IOException {
    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "text")
        .set("LOG_MAX_BYTES", "2000").set("LOG_BACKUP_COUNT", "2").build());
    writeLines(200); // about 20 kB: ten files' worth

    logging.close();
    logging = null;
    assertThat(logFiles()).containsExactlyInAnyOrder("app.log", "app.log.1", "app.log.2");
    // A file is rolled once it has reached the limit, so it overshoots by at most one line.
    for (String name : logFiles()) {
      assertThat(Files.size(logFile().resolveSibling(name))).as(name).isLessThan(2000 + 200);
    }
    // The newest old file ends where the current one begins.
    List<String> previous = Files.readAllLines(logFile().resolveSibling("app.log.1"));
    List<String> current = Files.readAllLines(logFile());
    assertThat(current.get(current.size() - 1)).contains("line 199 ");
    assertThat(number(current.get(0))).isEqualTo(number(previous.get(previous.size() - 1)) + 1);
  }

  @Test
  void backupCountZeroKeepsNoOldFile() throws IOException {
    logging = LoggingSetup.apply(settings().set("LOG_FORMAT", "text")
        .set("LOG_MAX_BYTES", "2000").set("LOG_BACKUP_COUNT", "0").build());
    writeLines(200);

    List<String> lines = closeAndRead();
    assertThat(logFiles()).containsExactly("app.log");
    assertThat(Files.size(logFile())).isLessThan(2000 + 200);
    assertThat(lines.get(lines.size() - 1)).contains("line 199 ");
  }

  @Test
  void logToFileFalseWritesNoFile() {
    logging = LoggingSetup.apply(settings().set("LOG_TO_FILE", "false").build());
    LOG.info("console only");
    logging.close();
    logging = null;

    assertThat(logFile().getParent()).doesNotExist();
  }

  private void writeLines(int count) {
    for (int i = 0; i < count; i++) {
      LOG.info("line {} {}", i, "x".repeat(40));
    }
  }

  private static int number(String line) {
    return Integer.parseInt(line.replaceAll(".* - line (\\d+) .*", "$1"));
  }

  private List<String> logFiles() throws IOException {
    try (Stream<Path> files = Files.list(logFile().getParent())) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
