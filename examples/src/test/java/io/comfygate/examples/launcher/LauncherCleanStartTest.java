package io.comfygate.examples.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's run command starts quietly: the launcher, run as its own java process in a fresh folder
 * with the JVM options of {@code -Prun}, prints no warning and no error (SLF4J's, Tomcat's, Jersey's
 * or ComfyGate's) up to its banner; SIGTERM (Ctrl+C) stops it.
 */
class LauncherCleanStartTest {
  private static final String BANNER_END = "Press Ctrl+C to stop.";
  /** java.util.logging's two-line format ("WARNING: …"), SLF4J's own reports, and JSON lines' level. */
  private static final Pattern BAD = Pattern.compile(
      "^(WARNING|SEVERE|ERROR|WARN)\\b|SLF4J\\((E|W)\\)|\"level\":\"(WARN|ERROR)\"|^Exception|^\\s+at ");

  @TempDir Path work;

  @Test
  @Timeout(120)
  void aCleanStartPrintsNoWarningOrError() throws Exception {
    Process launcher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dcomfygate.war=" + System.getProperty("comfygate.war"),
        // as examples/pom.xml's run profile
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
        "-DAPP_PORT=" + freePort(), "-DCOMFYUI_SERVER=127.0.0.1:" + freePort(),
        "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "--demo")
        .directory(work.toFile()).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    CompletableFuture<Void> banner = new CompletableFuture<>();
    CompletableFuture.runAsync(() -> readAll(launcher, lines, banner));
    try {
      banner.get(100, TimeUnit.SECONDS);
      synchronized (lines) {
        assertThat(lines).anyMatch(l -> l.contains("ComfyGate is running"));
        assertThat(lines.stream().filter(l -> BAD.matcher(l).find()).toList())
            .as("warnings and errors at start; output:\n%s", String.join("\n", lines)).isEmpty();
      }
      launcher.destroy(); // SIGTERM, as Ctrl+C
      assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
    } finally {
      launcher.destroyForcibly();
    }
  }

  /** Collects the process's output until it ends; completes {@code banner} when the banner is out. */
  private static void readAll(Process process, List<String> lines, CompletableFuture<Void> banner) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        synchronized (lines) {
          lines.add(line);
        }
        if (line.contains(BANNER_END)) {
          banner.complete(null);
        }
      }
    } catch (IOException e) {
      // the process is gone: what was read is all there is
    } finally {
      banner.completeExceptionally(new AssertionError("the launcher ended before its banner: " + lines));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
