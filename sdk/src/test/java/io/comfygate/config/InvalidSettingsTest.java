package io.comfygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.comfygate.errors.InvalidSettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per kind of bad value; each checks the whole operator-facing message. */
class InvalidSettingsTest {
  private static InvalidSettingsException failure(String key, String value) {
    return catchThrowableOfType(
        InvalidSettingsException.class,
        () -> Settings.builder().environment(Map.of(key, value)).build());
  }

  @Test
  void notANumber(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(".env");
    Files.writeString(file, "# timeouts\n\nJOB_TIMEOUT_SECONDS=abc\n");

    assertThatThrownBy(() -> Settings.builder().envFile(file).build())
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessage("Invalid setting JOB_TIMEOUT_SECONDS=\"abc\" (from " + file
            + " line 3): must be a whole number of seconds > 0");
  }

  @Test
  void negative() {
    assertThat(failure("MAX_PER_USER_QUEUE", "-1"))
        .hasMessage("Invalid setting MAX_PER_USER_QUEUE=\"-1\" (from environment): "
            + "must be a whole number >= 0");
  }

  @Test
  void zeroWherePositiveIsRequired() {
    assertThat(failure("MAX_PER_USER_CONCURRENT", "0"))
        .hasMessage("Invalid setting MAX_PER_USER_CONCURRENT=\"0\" (from environment): "
            + "must be a whole number > 0");
  }

  @Test
  void outOfRange() {
    assertThat(failure("PROGRESS_LOG_STEP", "101"))
        .hasMessage("Invalid setting PROGRESS_LOG_STEP=\"101\" (from environment): "
            + "too large; must be a whole number from 1 to 100");
    assertThat(failure("APP_PORT", "70000"))
        .hasMessageEndingWith("must be a whole number from 1 to 65535");
  }

  @Test
  void tooLargeForItsType() {
    assertThat(failure("LOG_BACKUP_COUNT", "99999999999999999999999"))
        .hasMessageContaining("too large; must be a whole number >= 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.5", "1e3", "", " "})
  void wholeNumbersRejectOtherForms(String value) {
    assertThat(failure("JOB_TIMEOUT_SECONDS", value))
        .hasMessageEndingWith("must be a whole number of seconds > 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0.0", "-1", "abc", "1,5", "0.0000000001", "1e3"})
  void decimalSecondsRejectZeroNegativeAndNonNumbers(String value) {
    assertThat(failure("COMFY_HTTP_READ_TIMEOUT", value))
        .hasMessageStartingWith("Invalid setting COMFY_HTTP_READ_TIMEOUT=\"" + value + "\"")
        .hasMessageEndingWith("must be a number of seconds > 0 (decimals allowed, e.g. 2.5)");
  }

  @Test
  void unknownEnum() {
    assertThat(failure("LOG_LEVEL", "VERBOSE"))
        .hasMessage("Invalid setting LOG_LEVEL=\"VERBOSE\" (from environment): "
            + "must be one of TRACE, DEBUG, INFO, WARN, ERROR (any case)");
    assertThat(failure("LOG_FORMAT", "xml"))
        .hasMessageEndingWith("must be one of json, text (any case)");
    assertThat(failure("PROGRESS_LOG_LEVEL", "fatal"))
        .hasMessageEndingWith("must be one of trace, debug, info, warn, error (any case)");
    assertThat(failure("LOG_TO_FILE", "maybe"))
        .hasMessageEndingWith("must be one of true, false, 1, 0, yes, no (any case)");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``                      | entry 1 is empty",
        "a:1,,b:2                | entry 2 is empty",
        "localhost               | entry 1 \"localhost\" has no port",
        "localhost:99999         | entry 1 \"localhost:99999\" has a bad port",
        "my host:8188            | entry 1 \"my host:8188\" is not host:port",
        "http://h:1/comfy        | entry 1 has a path or query",
        "ftp://h:21              | entry 1 has unknown scheme ftp://",
        "h:1,h:1                 | entry 2 repeats http://h:1",
      })
  void malformedHostList(String value, String detail) {
    assertThat(failure("COMFYUI_SERVER", value))
        .hasMessage("Invalid setting COMFYUI_SERVER=\"" + value + "\" (from environment): "
            + detail + "; must be " + ServerListParser.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://x", "not a url", "http://", "https://h/v1?x=1", "localhost:1"})
  void badLlmBaseUrl(String value) {
    assertThat(failure("LLM_BASE_URL", value))
        .hasMessageEndingWith("must be empty (disabled) or an http:// or https:// URL");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "DEFAULT_TEMPLATE | ../etc/passwd | a name of letters",
        "APP_HOST         | host:8000     | a host name or IP address without port",
        "OUTPUT_DIR       | ' '           | a file system path",
        "JOB_DB_PATH      | jdbc:         | a file path or a JDBC URL",
      })
  void otherRules(String key, String value, String allowed) {
    assertThat(failure(key, value)).hasMessageContaining("must be " + allowed)
        .hasMessageNotContaining("; ; ");
  }

  @Test
  void everyBadValueIsListedInOneMessageInTableOrder() {
    InvalidSettingsException e =
        catchThrowableOfType(
            InvalidSettingsException.class,
            () ->
                Settings.builder()
                    .systemProperties(Map.of("APP_PORT", "0"))
                    .environment(Map.of("LOG_LEVEL", "loud"))
                    .set("MAX_PER_USER_QUEUE", "many")
                    .build());

    assertThat(e.problems()).hasSize(3);
    assertThat(e.problems().get(0)).startsWith("Invalid setting MAX_PER_USER_QUEUE=\"many\" (from code)");
    assertThat(e.problems().get(1)).startsWith("Invalid setting LOG_LEVEL=\"loud\" (from environment)");
    assertThat(e.problems().get(2)).startsWith("Invalid setting APP_PORT=\"0\" (from system property)");
    assertThat(e).hasMessage("3 invalid settings:\n" + String.join("\n", e.problems()));
  }

  @Test
  void problemsCannotBeEmpty() {
    assertThatThrownBy(() -> new InvalidSettingsException(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
