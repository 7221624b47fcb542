package io.comfygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps {@code .env.example} (repository root) and the key table from drifting apart. */
class EnvExampleSyncTest {
  // Maven runs tests with the module directory (sdk/) as working directory.
  private static final Path EXAMPLE = Path.of("..", ".env.example");

  @Test
  void listsExactlyTheKnownKeysInTableOrderWithTheirDefaults() throws IOException {
    EnvFile example = EnvFile.read(EXAMPLE, name -> null);

    assertThat(example.entries().keySet())
        .containsExactlyElementsOf(Keys.ALL.stream().map(Key::name).collect(Collectors.toList()));
    Map<String, String> defaults =
        Keys.ALL.stream().collect(Collectors.toMap(Key::name, Key::defaultValue));
    assertThat(example.entries().values())
        .allSatisfy(e -> assertThat(e.value()).as(e.key()).isEqualTo(defaults.get(e.key())));
    assertThat(example.warnings()).isEmpty();
  }

  @Test
  void eachKeyIsPrecededByItsDescriptionAsComment() throws IOException {
    List<String> lines = Files.readAllLines(EXAMPLE, StandardCharsets.UTF_8);
    List<String> mismatches = new ArrayList<>();
    for (Key<?> key : Keys.ALL) {
      int at = indexOfAssignment(lines, key.name());
      String expected = "# " + key.description();
      if (at < 1 || !lines.get(at - 1).equals(expected)) {
        mismatches.add(key.name() + ": expected comment line \"" + expected + "\"");
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void theExampleFileIsAValidConfigurationOnItsOwn() {
    Settings settings = Settings.builder().envFile(EXAMPLE).build();

    assertThat(settings.describe())
        .allSatisfy(e -> assertThat(e.source()).isEqualTo(SettingSource.ENV_FILE));
    assertThat(settings.warnings()).isEmpty();
  }

  private static int indexOfAssignment(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(key + "=")) {
        return i;
      }
    }
    return -1;
  }
}
