package io.comfygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.InvalidSettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvFileTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static EnvFile parse(String text) {
    return EnvFile.parse(".env", text, NO_ENV::get);
  }

  private static String valueOf(String text, String key) {
    return parse(text).entries().get(key).value();
  }

  @Test
  void readsAssignmentsSkippingCommentsAndBlankLinesWithLineNumbers() {
    EnvFile file = parse("# header\n\nA=1\n   # indented comment\nB=two\n");

    assertThat(file.entries()).containsOnlyKeys("A", "B");
    assertThat(file.entries().get("A")).isEqualTo(new EnvFile.Entry("A", "1", 3));
    assertThat(file.entries().get("B").line()).isEqualTo(5);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "A=plain                       | plain",
        "export A=exported             | exported",
        "A = spaced                    | spaced",
        "A=\"double quoted\"           | double quoted",
        "A='single quoted'             | single quoted",
        "A=\"with # hash\" # comment   | with # hash",
        "A=value # inline comment      | value",
        "A=value#not-a-comment         | value#not-a-comment",
        "A=                            | ``",
        "A=''                          | ``",
        "A=a=b=c                       | a=b=c",
        "A=\"C:\\data\\outputs\"       | C:\\data\\outputs",
        "A=C:\\data\\outputs           | C:\\data\\outputs",
      })
  void valueForms(String line, String expected) {
    assertThat(valueOf(line, "A")).isEqualTo(expected);
  }

  @Test
  void toleratesCrlfAndByteOrderMark() {
    EnvFile file = parse("\uFEFFA=1\r\nB=2\r\n");

    assertThat(file.entries().get("A").value()).isEqualTo("1");
    assertThat(file.entries().get("B").value()).isEqualTo("2");
  }

  @Test
  void expandsVariablesExceptInSingleQuotes() {
    Map<String, String> env = Map.of("HOME_DIR", "/home/me");
    EnvFile file =
        EnvFile.parse(
            ".env",
            "BASE=/srv\nA=${BASE}/out\nB=\"${HOME_DIR}/x\"\nC='${BASE}'\nD=cost$5\n",
            env::get);

    assertThat(file.entries().get("A").value()).isEqualTo("/srv/out");
    assertThat(file.entries().get("B").value()).isEqualTo("/home/me/x");
    assertThat(file.entries().get("C").value()).isEqualTo("${BASE}");
    assertThat(file.entries().get("D").value()).isEqualTo("cost$5");
  }

  @Test
  void laterAssignmentWinsWithAWarning() {
    EnvFile file = parse("A=1\nA=2\n");

    assertThat(file.entries().get("A").value()).isEqualTo("2");
    assertThat(file.warnings())
        .containsExactly("A is set twice in .env (lines 1 and 2); line 2 wins");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "OK=1\\nno equals sign            | 2 | expected KEY=VALUE",
        "OK=1\\n1BAD=x                    | 2 | the key must be",
        "OK=1\\nBAD KEY=x                 | 2 | the key must be",
        "A=\"unclosed                     | 1 | unclosed \" quote",
        "A='x' trailing                   | 1 | unexpected text after the closing quote",
        "A=${MISSING}                     | 1 | ${MISSING} is not defined",
      })
  void malformedLineNamesFileAndLine(String text, int line, String why) {
    String content = text.replace("\\n", "\n");

    assertThatThrownBy(() -> EnvFile.parse("conf/my.env", content, NO_ENV::get))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageStartingWith("Malformed line " + line + " in env file conf/my.env: ")
        .hasMessageContaining(why);
  }

  @Test
  void malformedLineIsNotEchoedBecauseItMayHoldASecret() {
    assertThatThrownBy(() -> parse("LLM_API_KEY sk-very-secret"))
        .hasMessageNotContaining("sk-very-secret");
  }

  @Test
  void invalidUtf8IsReportedWithTheFileName(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.env");
    Files.write(file, new byte[] {'A', '=', (byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(() -> EnvFile.read(file, NO_ENV::get))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void readsUtf8FromDisk(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(".env");
    Files.writeString(file, "DEFAULT_TEMPLATE=caf\u00e9\n", StandardCharsets.UTF_8);

    assertThat(EnvFile.read(file, NO_ENV::get).entries().get("DEFAULT_TEMPLATE").value())
        .isEqualTo("caf\u00e9");
  }
}
