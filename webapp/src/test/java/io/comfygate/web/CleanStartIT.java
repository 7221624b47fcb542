package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deploying the WAR to Tomcat is quiet: from the deployment until it answers healthy, neither
 * Tomcat's catalina log (Tomcat's and Jersey's java.util.logging lines) nor ComfyGate's own log file
 * gets a warning or an error. A newcomer reads such lines as "broken".
 */
class CleanStartIT extends RedeployableWar {
  /** JULI's line format ("07-Dec-2026 19:01:11.123 WARNING [main] …"), and ComfyGate's JSON lines. */
  private static final Pattern BAD = Pattern.compile(
      "^\\S+ \\S+ (WARNING|SEVERE) |\"level\":\"(WARN|ERROR)\"|SLF4J\\((E|W)\\)|^(WARNING|SEVERE|ERROR|WARN)\\b");

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);

  @Test
  void deployingLogsNoWarningAndNoError() throws Exception {
    Path appLog = Path.of(ItHttp.itSetting("LOG_FILE_PATH"));
    CatalinaLog mark = CatalinaLog.mark(appLog);
    deployWar();
    try {
      http.awaitHealthy();
      List<String> lines = mark.linesSince();
      assertThat(lines).as("the deployment was logged at all").anyMatch(l -> l.contains("\"event\":\"app_start\""));
      assertThat(lines.stream().filter(l -> BAD.matcher(l).find()).toList()).as("warnings and errors at deploy").isEmpty();
    } finally {
      undeployWar();
    }
  }
}
