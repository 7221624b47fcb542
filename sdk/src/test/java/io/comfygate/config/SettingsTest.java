package io.comfygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.InvalidSettingsException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  private Path envFile(String content) throws IOException {
    Path file = dir.resolve(".env");
    Files.writeString(file, content);
    return file;
  }

  @Test
  void defaultsMatchTheSpec() {
    Settings s = Settings.defaults();

    assertThat(s.comfyUiServers()).containsExactly(URI.create("http://127.0.0.1:8188"));
    assertThat(s.outputDir()).isEqualTo(Path.of("./outputs/"));
    assertThat(s.jobDbPath()).contains(Path.of("db/app_data.db"));
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:" + Path.of("db/app_data.db"));
    assertThat(s.maxPerUserQueue()).isEqualTo(3);
    assertThat(s.maxPerUserConcurrent()).isEqualTo(1);
    assertThat(s.jobTimeout()).isEqualTo(Duration.ofSeconds(180));
    assertThat(s.comfyHttpConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.comfyHttpReadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.comfyWsConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.comfyWsIdleTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(s.healthzDiskMinFreeMb()).isEqualTo(1024);
    assertThat(s.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(s.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(s.logToFile()).isTrue();
    assertThat(s.logFilePath()).isEqualTo(Path.of("logs/app.log"));
    assertThat(s.logMaxBytes()).isEqualTo(1_048_576L);
    assertThat(s.logBackupCount()).isEqualTo(3);
    assertThat(s.progressLogStep()).isEqualTo(20);
    assertThat(s.progressLogMinInterval()).isEqualTo(Duration.ofMillis(1000));
    assertThat(s.progressLogLevel()).isEqualTo(LogLevel.INFO);
    assertThat(s.llmEnabled()).isFalse();
    assertThat(s.llmBaseUrl()).isEmpty();
    assertThat(s.llmModel()).isEmpty();
    assertThat(s.llmApiKey()).isEmpty();
    assertThat(s.llmTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.templateDir()).isEmpty();
    assertThat(s.defaultTemplate()).isEqualTo("txt2img");
    assertThat(s.trashRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(s.trashSweepInterval()).isEqualTo(Duration.ofMinutes(60));
    assertThat(s.appHost()).isEqualTo("127.0.0.1");
    assertThat(s.appPort()).isEqualTo(8000);
    assertThat(s.warnings()).isEmpty();
  }

  @Test
  void precedenceIsCodeThenPropertyThenEnvironmentThenFileThenDefault() throws IOException {
    Path file = envFile("MAX_PER_USER_QUEUE=4\nMAX_PER_USER_CONCURRENT=4\n"
        + "LOG_BACKUP_COUNT=4\nAPP_PORT=4\n");
    Settings s =
        Settings.builder()
            .envFile(file)
            .environment(Map.of(
                "MAX_PER_USER_CONCURRENT", "3", "LOG_BACKUP_COUNT", "3", "APP_PORT", "3"))
            .systemProperties(Map.of("LOG_BACKUP_COUNT", "2", "APP_PORT", "2"))
            .set("APP_PORT", "1")
            .build();

    assertThat(s.maxPerUserQueue()).isEqualTo(4);
    assertThat(s.maxPerUserConcurrent()).isEqualTo(3);
    assertThat(s.logBackupCount()).isEqualTo(2);
    assertThat(s.appPort()).isEqualTo(1);
    assertThat(s.progressLogStep()).isEqualTo(20);
    assertThat(s.describe())
        .filteredOn(e -> e.key().startsWith("MAX_PER_USER") || e.key().equals("LOG_BACKUP_COUNT")
            || e.key().equals("APP_PORT") || e.key().equals("PROGRESS_LOG_STEP"))
        .extracting(SettingEntry::source)
        .containsExactly(
            SettingSource.ENV_FILE, SettingSource.ENVIRONMENT, SettingSource.SYSTEM_PROPERTY,
            SettingSource.DEFAULT, SettingSource.CODE);
  }

  @Test
  void typedValuesFromText() {
    Settings s =
        Settings.builder()
            .set("COMFY_HTTP_CONNECT_TIMEOUT", "2.5")
            .set("COMFY_WS_IDLE_TIMEOUT", " 0.25 ")
            .set("LOG_LEVEL", "debug")
            .set("LOG_FORMAT", "TEXT")
            .set("LOG_TO_FILE", "no")
            .set("PROGRESS_LOG_LEVEL", "Warn")
            .set("TEMPLATE_DIR", "my/templates")
            .set("MAX_PER_USER_QUEUE", "0")
            .build();

    assertThat(s.comfyHttpConnectTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.comfyWsIdleTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.logLevel()).isEqualTo(LogLevel.DEBUG);
    assertThat(s.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(s.logToFile()).isFalse();
    assertThat(s.progressLogLevel()).isEqualTo(LogLevel.WARN);
    assertThat(s.templateDir()).contains(Path.of("my/templates"));
    assertThat(s.maxPerUserQueue()).isZero();
  }

  @Test
  void windowsPathsAreAcceptedVerbatim() throws IOException {
    Settings s =
        Settings.builder()
            .envFile(envFile("OUTPUT_DIR=C:\\data\\outputs\nJOB_DB_PATH=\"D:\\db\\jobs.db\"\n"))
            .build();

    assertThat(s.outputDir().toString()).isEqualTo("C:\\data\\outputs");
    assertThat(s.jobDbPath()).contains(Path.of("D:\\db\\jobs.db"));
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:D:\\db\\jobs.db");
  }

  @Test
  void jdbcUrlIsPassedThroughWithoutAFilePath() {
    Settings s = Settings.builder().set("JOB_DB_PATH", "jdbc:sqlite:file:test?mode=memory").build();

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:sqlite:file:test?mode=memory");
    assertThat(s.jobDbPath()).isEmpty();
  }

  @Test
  void llmIsEnabledByABaseUrlAndNeedsAModel() {
    Settings s =
        Settings.builder()
            .set("LLM_BASE_URL", "https://llm.example.com/v1/")
            .set("LLM_MODEL", "gpt-4o-mini")
            .build();

    assertThat(s.llmEnabled()).isTrue();
    assertThat(s.llmBaseUrl()).contains(URI.create("https://llm.example.com/v1"));
    assertThatThrownBy(
            () -> Settings.builder().set("LLM_BASE_URL", "http://localhost:11434").build())
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessage("Invalid setting LLM_MODEL=\"\" (from default): "
            + "must be a model name when LLM_BASE_URL is set");
  }

  @Test
  void webhookAllowedHostsTakesNamesSuffixesAddressesBlocksAndAStar() {
    Settings s = Settings.builder()
        .set("WEBHOOK_ALLOWED_HOSTS", " * , hooks.example.com,.corp.example,*.ops.test,127.0.0.1,10.1.2.0/24,[::1],fd00::/8")
        .build();

    assertThat(s.webhookAllowedHosts()).containsExactly("*", "hooks.example.com", ".corp.example", "*.ops.test",
        "127.0.0.1", "10.1.2.0/24", "[::1]", "fd00::/8");
    assertThatThrownBy(() -> Settings.builder().set("WEBHOOK_ALLOWED_HOSTS", "10.1.2.0/40").build())
        .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("0..32");
    assertThatThrownBy(() -> Settings.builder().set("WEBHOOK_ALLOWED_HOSTS", "hooks example").build())
        .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("WEBHOOK_ALLOWED_HOSTS");
  }

  @Test
  void secretIsMaskedInToStringAndDescribeButAvailableFromItsGetter() {
    Settings s = Settings.builder().set("LLM_API_KEY", "sk-very-secret").build();

    assertThat(s.llmApiKey()).isEqualTo("sk-very-secret");
    assertThat(s.toString()).doesNotContain("sk-very-secret").contains("LLM_API_KEY=****");
    assertThat(s.describe())
        .contains(new SettingEntry("LLM_API_KEY", "****", SettingSource.CODE))
        .noneMatch(e -> e.toString().contains("sk-very-secret"));
  }

  @Test
  void aPostgresqlDatabaseTakesItsPasswordFromASecretSettingAndItsUrlCarriesNone() {
    Settings s = Settings.builder()
        .set("JOB_DB_PATH", "jdbc:postgresql://db.internal:5432/comfygate?user=comfygate")
        .set("JOB_DB_PASSWORD", "pg-very-secret").build();

    assertThat(s.jobDbPath()).isEmpty();
    assertThat(s.jobDbLocation()).isEqualTo("jdbc:postgresql://db.internal:5432/comfygate?user=comfygate");
    assertThat(s.jobDbPassword()).contains("pg-very-secret");
    assertThat(s.jobDbJndi()).isEmpty();
    assertThat(s.toString()).doesNotContain("pg-very-secret").contains("JOB_DB_PASSWORD=****");
    assertThat(s.describe()).noneMatch(e -> e.toString().contains("pg-very-secret"));

    for (String url : new String[] {"jdbc:postgresql://db/cg?user=cg&password=pg-very-secret",
        "jdbc:postgresql://db/cg?PASSWORD=pg-very-secret&ssl=true", "jdbc:postgresql://cg:pg-very-secret@db/cg"}) {
      assertThatThrownBy(() -> Settings.builder().set("JOB_DB_PATH", url).build())
          .isInstanceOf(InvalidSettingsException.class)
          .hasMessageContaining("JOB_DB_PATH").hasMessageContaining("JOB_DB_PASSWORD")
          .hasMessageNotContaining("pg-very-secret");
    }
    assertThatThrownBy(() -> Settings.builder().set("JOB_DB_PASSWORD", "pg-very-secret").build())
        .as("a password for a SQLite file").isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("JOB_DB_PASSWORD").hasMessageNotContaining("pg-very-secret");
  }

  @Test
  void aJndiNameIsTakenAsGivenAndOneWithBlanksIsRefused() {
    assertThat(Settings.defaults().jobDbJndi()).isEmpty();
    assertThat(Settings.builder().set("JOB_DB_JNDI", "java:comp/env/jdbc/comfygate").build().jobDbJndi())
        .contains("java:comp/env/jdbc/comfygate");
    assertThat(Settings.builder().set("JOB_DB_JNDI", "jdbc/comfygate").set("JOB_DB_PASSWORD", "x").build()
        .jobDbPassword()).as("the password of a JNDI resource is the server's; allowed, unused").contains("x");
    assertThatThrownBy(() -> Settings.builder().set("JOB_DB_JNDI", "jdbc/comfy gate").build())
        .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("JOB_DB_JNDI");
  }

  @Test
  void bootstrapAdminKeyIsASecretToo() {
    Settings s = Settings.builder().set("BOOTSTRAP_ADMIN_KEY", "boot-very-secret").build();

    assertThat(s.bootstrapAdminKey()).isEqualTo("boot-very-secret");
    assertThat(s.toString()).doesNotContain("boot-very-secret").contains("BOOTSTRAP_ADMIN_KEY=****");
    assertThat(Settings.defaults().bootstrapAdminKey()).isEmpty();
  }

  @Test
  void emptySecretIsShownEmpty() {
    assertThat(Settings.defaults().toString()).contains("LLM_API_KEY=,");
  }

  @Test
  void toStringAndDescribeListEveryKeyInTableOrder() {
    Settings s = Settings.defaults();

    assertThat(s.describe()).extracting(SettingEntry::key)
        .containsExactlyElementsOf(Keys.ALL.stream().map(Key::name).toList());
    assertThat(s.describe().get(0).toString()).isEqualTo("COMFYUI_SERVER=127.0.0.1:8188 (default)");
    assertThat(s.toString()).startsWith("Settings{COMFYUI_SERVER=127.0.0.1:8188, OUTPUT_DIR=")
        .endsWith("APP_PORT=8000}");
  }

  @Test
  void unknownKeysInTheFileThatLookLikeOursAreWarnedWithASuggestion() throws IOException {
    Path file = envFile("MAX_PER_USER_QEUE=5\nLOG_COLOUR=red\nPATH_TO_OTHER_TOOL=x\n"
        + "COMFYGATE_ENV_FILE=other.env\n");
    Settings s = Settings.builder().envFile(file).build();

    assertThat(s.maxPerUserQueue()).isEqualTo(3);
    assertThat(s.warnings()).containsExactly(
        "Unknown key MAX_PER_USER_QEUE in " + file + " line 1 is ignored"
            + " (did you mean MAX_PER_USER_QUEUE?)",
        "Unknown key LOG_COLOUR in " + file + " line 2 is ignored",
        "COMFYGATE_ENV_FILE in " + file + " line 4 is ignored:"
            + " set it as an environment variable or system property");
  }

  @Test
  void setRejectsAnUnknownKeyAtOnce() {
    assertThatThrownBy(() -> Settings.builder().set("JOB_TIMEOUT_SECOND", "5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown setting JOB_TIMEOUT_SECOND (did you mean JOB_TIMEOUT_SECONDS?)");
  }

  @Test
  void fromSourcesReadsTheDefaultEnvFileOnlyIfPresent() throws IOException {
    Path missing = dir.resolve("absent.env");
    assertThat(Settings.fromSources(Map.of(), Map.of(), missing).describe())
        .allMatch(e -> e.source() == SettingSource.DEFAULT);

    Path present = envFile("APP_PORT=9000\n");
    assertThat(Settings.fromSources(Map.of(), Map.of(), present).appPort()).isEqualTo(9000);
  }

  @Test
  void fromSourcesFollowsComfygateEnvFilePropertyBeforeEnvironment() throws IOException {
    Path chosen = dir.resolve("chosen.env");
    Files.writeString(chosen, "APP_PORT=9001\n");
    Path ignored = dir.resolve("ignored.env");
    Files.writeString(ignored, "APP_PORT=9002\n");

    Settings s = Settings.fromSources(
        Map.of("COMFYGATE_ENV_FILE", chosen.toString()),
        Map.of("COMFYGATE_ENV_FILE", ignored.toString()),
        dir.resolve("none.env"));

    assertThat(s.appPort()).isEqualTo(9001);
  }

  @Test
  void aBlankComfygateEnvFileMeansTheDefaultFile() throws IOException {
    Path present = envFile("APP_PORT=9003\n");

    Settings s = Settings.fromSources(Map.of("COMFYGATE_ENV_FILE", " "), Map.of(), present);

    assertThat(s.appPort()).isEqualTo(9003);
  }

  @Test
  void aMissingFileNamedByComfygateEnvFileIsAnError() {
    Path missing = dir.resolve("missing.env");

    assertThatThrownBy(() -> Settings.fromSources(
            Map.of(), Map.of("COMFYGATE_ENV_FILE", missing.toString()), dir.resolve(".env")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessage("Env file " + missing
            + " (named by COMFYGATE_ENV_FILE from environment) does not exist");
  }

  @Test
  void variablesInTheFileExpandFromTheGivenEnvironmentNotTheRealOne() throws IOException {
    Settings s = Settings.builder()
        .environment(Map.of("DATA", "/data"))
        .envFile(envFile("OUTPUT_DIR=${DATA}/out\n"))
        .build();

    assertThat(s.outputDir()).isEqualTo(Path.of("/data/out"));
  }
}
