package io.comfygate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** README's code snippets are tagged parts of compiled examples: this checks one against its source. */
public final class ReadmeSnippets {
  private ReadmeSnippets() {}

  /**
   * Asserts that README's block between {@code <!-- name -->} and {@code <!-- /name -->} is the part
   * of {@code source} between {@code // tag::tag[]} and {@code // end::tag[]}, indentation aside.
   */
  public static void assertShown(String name, String source, String tag) throws IOException {
    String code = Files.readString(Path.of(source));
    String tagged = between(code, "// tag::" + tag + "[]\n", "    // end::" + tag + "[]");
    String readme = Files.readString(Path.of("../README.md"));
    String shown = between(readme, "<!-- " + name + " -->\n```java\n", "```\n<!-- /" + name + " -->");
    assertThat(unindent(shown)).isEqualTo(unindent(tagged));
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    int to = text.indexOf(end, from + 1);
    assertThat(from).as("marker " + start.strip()).isNotNegative();
    assertThat(to).as("marker " + end.strip()).isPositive();
    return text.substring(from + start.length(), to);
  }

  private static List<String> unindent(String block) {
    List<String> lines = block.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
  }
}
