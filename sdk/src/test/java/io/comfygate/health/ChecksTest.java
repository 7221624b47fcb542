package io.comfygate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.llm.LlmClient;
import io.comfygate.testkit.llm.FakeOpenAi;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

class ChecksTest {
  @TempDir Path tmp;

  @Test
  void diskIsUpAboveTheMinimumAndMeasuresTheNearestExistingAncestor() throws Exception {
    Path notYetCreated = tmp.resolve("outputs/2025");

    CheckOutcome outcome = Checks.diskFree(notYetCreated, 0).check();

    assertThat(outcome.status()).isEqualTo(Status.UP);
    assertThat(outcome.reason()).startsWith("free disk ").contains(" MB on " + notYetCreated);
  }

  @Test
  void diskProvesTheFolderWritableAndLeavesNoProbeFileBehind() throws Exception {
    CheckOutcome outcome = Checks.diskFree(tmp, 0).check();

    assertThat(outcome.status()).isEqualTo(Status.UP);
    assertThat(outcome.reason()).endsWith(", writable");
    try (var left = java.nio.file.Files.list(tmp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void diskIsDownWhenOutputDirCannotTakeAFileNamingThePath() throws Exception {
    Path notAFolder = java.nio.file.Files.writeString(tmp.resolve("outputs"), "a file where the folder should be");

    CheckOutcome outcome = Checks.diskFree(notAFolder, 0).check();

    assertThat(outcome.status()).isEqualTo(Status.DOWN);
    assertThat(outcome.reason()).startsWith(notAFolder + " is not writable from this process: ");
  }

  @Test
  void diskIsDownBelowTheMinimumNamingFreeSpacePathAndSetting() throws Exception {
    long huge = Long.MAX_VALUE / (1024 * 1024);

    CheckOutcome outcome = Checks.diskFree(tmp, huge).check();

    assertThat(outcome.status()).isEqualTo(Status.DOWN);
    assertThat(outcome.reason()).matches("free disk \\d+ MB on " + java.util.regex.Pattern.quote(tmp.toString())
        + " is below HEALTHZ_DISK_MIN_FREE_MB=" + huge);
    assertThatThrownBy(() -> Checks.diskFree(tmp, -1)).hasMessage("HEALTHZ_DISK_MIN_FREE_MB must be >= 0: -1");
  }

  @Test
  void theDatabaseIsNamedWithoutTheCredentialsAJdbcUrlMayCarry() {
    assertThat(JdbcWriteProbe.withoutCredentials("jdbc:postgresql://db.internal:5432/comfygate?user=gate&password=s3cret"))
        .isEqualTo("jdbc:postgresql://db.internal:5432/comfygate");
    assertThat(JdbcWriteProbe.withoutCredentials("jdbc:postgresql://gate:s3cret@db:5432/comfygate"))
        .isEqualTo("jdbc:postgresql://db:5432/comfygate");
    assertThat(JdbcWriteProbe.withoutCredentials("jdbc:sqlserver://db:1433;user=sa;password=s3cret"))
        .isEqualTo("jdbc:sqlserver://db:1433");
  }

  @Test
  void jdbcProbeWritesAndReadsBackOneRowOnARealSqliteFile() throws Exception {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + tmp.resolve("app_data.db"));
    HealthCheck probe = Checks.jdbcWriteProbe(ds);

    CheckOutcome first = probe.check();
    CheckOutcome second = probe.check(); // the row exists now: the update path

    assertThat(first.status()).isEqualTo(Status.UP);
    assertThat(second.status()).isEqualTo(Status.UP);
    assertThat(probe.name()).isEqualTo("database");
    assertThat(first.reason()).startsWith("wrote and read back health_probe on SQLite ")
        .endsWith(" at jdbc:sqlite:" + tmp.resolve("app_data.db"));
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*), max(token) FROM health_probe")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getString(2)).hasSize(36);
    }
  }

  @Test
  void jdbcProbeIsDownWhenTheDatabaseDirectoryIsMissing() {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + tmp.resolve("missing/dir/app_data.db"));
    HealthMonitor monitor = HealthMonitor.builder().add(Checks.jdbcWriteProbe(ds)).build();

    try (monitor) {
      CheckResult result = monitor.check().check("database").orElseThrow();
      assertThat(result.status()).isEqualTo(Status.DOWN);
      assertThat(result.reason()).startsWith("database write failed: ");
    }
  }

  @Test
  void jdbcProbeIsDownOnAReadOnlyDatabase() throws Exception {
    Path file = tmp.resolve("app_data.db");
    SQLiteDataSource writable = new SQLiteDataSource();
    writable.setUrl("jdbc:sqlite:" + file);
    try (Connection c = writable.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jobs (id TEXT)");
    }
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    SQLiteDataSource ds = new SQLiteDataSource(readOnly);
    ds.setUrl("jdbc:sqlite:" + file);

    assertThatThrownBy(() -> Checks.jdbcWriteProbe(ds).check())
        .hasMessageStartingWith("database write failed: ").hasMessageContaining("READONLY");
  }

  @Test
  void httpCheckIsUpOn200AndDownWithTheStatusOtherwise() throws Exception {
    try (FakeOpenAi server = FakeOpenAi.start();
        HttpCheck check = (HttpCheck) Checks.http("backend", URI.create(server.baseUrl() + "/v1/models"), Duration.ofSeconds(2))) {
      assertThat(check.check().status()).isEqualTo(Status.UP);
      assertThat(check.timeout()).isGreaterThan(Duration.ofSeconds(2));

      server.failWith(503);
      assertThat(check.check()).isEqualTo(CheckOutcome.down(server.baseUrl() + "/v1/models answered HTTP 503"));
    }
  }

  @Test
  void httpCheckNamesAnUnreachableServer() throws Exception {
    URI nowhere = URI.create("http://127.0.0.1:" + freePort() + "/system_stats");
    try (HttpCheck check = (HttpCheck) Checks.http("comfyui", nowhere, Duration.ofSeconds(2))) {
      assertThat(check.check()).isEqualTo(CheckOutcome.down(nowhere + " is not reachable: connection refused"));
    }
    assertThatThrownBy(() -> Checks.http("x", URI.create("ftp://h/"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void llmCheckIsDisabledUpOrDownWithTheReason() throws Exception {
    assertThat(Checks.llm(LlmClient.fromSettings("", null, null, null)).check())
        .isEqualTo(CheckOutcome.disabled("LLM disabled (LLM_BASE_URL not set)"));

    try (FakeOpenAi server = FakeOpenAi.start("sk-right");
        LlmClient right = LlmClient.builder().baseUrl(server.baseUrl().toString()).model("m").apiKey("sk-right").build();
        LlmClient wrong = LlmClient.builder().baseUrl(server.baseUrl().toString()).model("m").apiKey("sk-wrong").build()) {
      assertThat(Checks.llm(right).check().status()).isEqualTo(Status.UP);
      CheckOutcome down = Checks.llm(wrong).check();
      assertThat(down.status()).isEqualTo(Status.DOWN);
      assertThat(down.reason()).contains("answered HTTP 401").doesNotContain("sk-wrong");
    }
  }

  @Test
  void ofTurnsAReturnIntoUpAndAThrowIntoDown() throws Exception {
    assertThat(Checks.of("x", Duration.ofSeconds(1), () -> null).check()).isEqualTo(CheckOutcome.up());
    assertThat(CheckRunner.reasonOf(new IllegalStateException("line one\n  line two"))).isEqualTo("line one line two");
    assertThat(CheckRunner.reasonOf(new RuntimeException("x".repeat(400)))).hasSize(300);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
