package io.comfygate.web.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * RUNBOOK.ko.md, the operators' runbook in Korean, stays in step with RUNBOOK.md: both name the same
 * settings, endpoints, log events, commands and values (every `code` span and every fenced block),
 * and the same sections.
 */
class RunbookSyncTest {
  // Maven runs tests with the module directory (webapp/) as working directory.
  private static final Path EN = Path.of("..", "RUNBOOK.md");
  private static final Path KO = Path.of("..", "RUNBOOK.ko.md");
  private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");
  private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static Set<String> codeSpans(String text) {
    Set<String> spans = new TreeSet<>();
    Matcher m = CODE.matcher(FENCE.matcher(text).replaceAll(""));
    while (m.find()) {
      spans.add(m.group(1));
    }
    return spans;
  }

  @Test
  void bothNameTheSameSettingsEndpointsEventsAndCommands() throws IOException {
    // each names the other
    Set<String> en = codeSpans(read(EN));
    en.remove("RUNBOOK.ko.md");
    Set<String> ko = codeSpans(read(KO));
    ko.remove("RUNBOOK.md");
    assertThat(ko).as("in RUNBOOK.md but not in RUNBOOK.ko.md: %s; only in RUNBOOK.ko.md: %s",
        difference(en, ko), difference(ko, en)).isEqualTo(en);
    // the kinds the issue names are among them
    assertThat(en).contains("LLM_ASSIST_PER_MINUTE=10", "POST /api/v1/prompt/assist", "llm_failed", "job_start");
  }

  @Test
  void theCommandBlocksAreTheSame() throws IOException {
    assertThat(FENCE.matcher(read(KO)).results().map(java.util.regex.MatchResult::group).toList())
        .isEqualTo(FENCE.matcher(read(EN)).results().map(java.util.regex.MatchResult::group).toList());
  }

  @Test
  void theSectionsAreTheSame() throws IOException {
    assertThat(headingNumbers(read(KO))).isEqualTo(headingNumbers(read(EN)));
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toCollection(TreeSet::new));
  }

  /** "## 3." → "3", in order; the appendix counts as "A". */
  private static String headingNumbers(String text) {
    return text.lines().filter(l -> l.startsWith("## "))
        .map(l -> l.matches("## \\d+\\..*") ? l.substring(3, l.indexOf('.')) : "A").collect(Collectors.joining(","));
  }
}
