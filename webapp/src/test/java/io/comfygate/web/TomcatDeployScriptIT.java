package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.testkit.FakeComfyUi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Tomcat how-to (deploy/tomcat/README.md) works as written: {@code deploy/tomcat/check-deploy.sh}
 * builds a fresh CATALINA_BASE from the shipped files and the Tomcat 11 distribution the build
 * unpacked, starts it with catalina.sh, signs in through the file realm, runs one job against this
 * test's simulated ComfyUI, checks the log events and stops Tomcat by its PID.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the check is a bash script (check-deploy.cmd runs it under Git Bash)")
class TomcatDeployScriptIT {
  /** The script's own waits are bounded (180 s for start-up); this is the backstop. */
  private static final long LIMIT_SECONDS = 360;

  @Test
  void theDocumentedTomcatStepsWork() throws Exception {
    Path target = Path.of(System.getProperty("war.file")).toAbsolutePath().getParent();
    Path base = target.resolve("deploy-check");
    ItFiles.deleteTree(base); // left by an earlier failed run
    Path script = Path.of(System.getProperty("deploy.dir"), "tomcat", "check-deploy.sh").toAbsolutePath();
    // Its own port next to the Arquillian Tomcat's, so that worktrees and runs do not clash.
    int port = Integer.getInteger("it.http.port") + 5;
    Path output = target.resolve("deploy-check.log");

    try (FakeComfyUi comfy = FakeComfyUi.builder().steps(2).start()) {
      long started = System.nanoTime();
      ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(),
          "--catalina-home", Path.of(System.getProperty("tomcat.home")).toAbsolutePath().toString(),
          "--war", System.getProperty("war.file"),
          "--base", base.toString(),
          "--port", Integer.toString(port),
          "--comfyui", "127.0.0.1:" + comfy.port()))
          .redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process check = builder.start();
      boolean finished = check.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
      try {
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished).as("check-deploy.sh still running after %d s:%n%s", LIMIT_SECONDS, log).isTrue();
        assertThat(check.exitValue()).as("check-deploy.sh failed:%n%s", log).isZero();
        assertThat(log).contains("check-deploy: [").contains("OK: every documented step worked");
        System.out.printf("TomcatDeployScriptIT: the documented Tomcat steps took %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(base).as("the script removes its CATALINA_BASE on success").doesNotExist();
      } finally {
        stop(check, base);
      }
    }
  }

  /** The script stops Tomcat itself (trap on exit); this covers a script that hangs or is killed. */
  private static void stop(Process check, Path base) throws Exception {
    if (check.isAlive()) {
      check.destroy(); // SIGTERM: the script's trap stops Tomcat by its PID
      if (!check.waitFor(40, TimeUnit.SECONDS)) {
        check.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    Path pidFile = base.resolve("temp").resolve("catalina.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle.of(pid).ifPresent(tomcat -> {
        tomcat.destroyForcibly();
        tomcat.onExit().orTimeout(10, TimeUnit.SECONDS).join();
      });
    }
  }

}
