package io.comfygate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class QuickstartExampleTest {
  @RegisterExtension
  final FakeComfyUiExtension comfy = new FakeComfyUiExtension();

  @TempDir Path work;

  @Test
  void runsAJobAgainstComfyUiAndSavesTheImage(FakeComfyUi fake) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuickstartExample.main(new String[] {fake.baseUrl().toString(), work.toString()});
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("health: OK").contains("queued j").contains("succeeded").contains("% KSampler #3");
    Matcher image = Pattern.compile("image (\\S+) 512x512").matcher(out);
    assertThat(image.find()).as(out).isTrue();
    assertThat(Path.of(image.group(1))).exists().startsWith(work);
  }

  /** README's snippet is the tagged part of the example, so it always compiles and runs. */
  @Test
  void readmeShowsTheExampleAsItIs() throws Exception {
    ReadmeSnippets.assertShown("quickstart", "src/main/java/io/comfygate/examples/QuickstartExample.java", "quickstart");
  }
}
