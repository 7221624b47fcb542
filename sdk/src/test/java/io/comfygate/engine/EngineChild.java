package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.jobs.JobId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EngineProcess} in a JVM of its own, for tests that kill it (SIGKILL) or pause it
 * (SIGSTOP) mid-flight: started with its arguments, its standard error kept in a file of the
 * test's folder. {@link #close} kills it if it still runs.
 */
final class EngineChild implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  /** Every line it printed so far (its log lines included). */
  private final List<String> printed = java.util.Collections.synchronizedList(new ArrayList<>());

  private EngineChild(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
          printed.add(line);
        }
      } catch (IOException e) {
        // the child was killed: its pipe ends
      }
      lines.add(EOF);
    }, "engine-child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@link EngineProcess} with {@code args}; its standard error goes to {@code stderr}. */
  static EngineChild start(Path stderr, List<String> args) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError("no java command"));
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        EngineProcess.class.getName()));
    command.addAll(args);
    return new EngineChild(new ProcessBuilder(command).redirectError(stderr.toFile()).start(), stderr);
  }

  /**
   * Waits until the child has submitted its jobs and is mid-flight ({@link EngineProcess#READY}).
   *
   * @return the ids of the jobs it accepted
   */
  List<JobId> awaitReady(Duration within) throws IOException, InterruptedException {
    List<JobId> ids = new ArrayList<>();
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        throw new AssertionError("the engine process did not get ready (" + (line == null ? "timed out" : "exited")
            + "); its stderr:\n" + Files.readString(stderr));
      }
      if (line.startsWith(EngineProcess.JOB_PREFIX)) {
        ids.add(new JobId(line.substring(EngineProcess.JOB_PREFIX.length())));
      } else if (line.equals(EngineProcess.READY)) {
        return ids;
      }
    }
  }

  /** Whether it has printed a line containing {@code fragment} (a log event's name, say). */
  boolean hasPrinted(String fragment) {
    synchronized (printed) {
      return printed.stream().anyMatch(line -> line.contains(fragment));
    }
  }

  long pid() {
    return process.pid();
  }

  /** Kills it with SIGKILL and checks that it ended so. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed within 10 s").isTrue();
    assertThat(process.isAlive()).isFalse();
    if (!System.getProperty("os.name").startsWith("Windows")) {
      assertThat(process.exitValue()).as("ended by SIGKILL (128 + 9)").isEqualTo(137);
    }
  }

  /** Sends a signal by name ({@code STOP}, {@code CONT}) with the system's {@code kill}. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s returned", name).isTrue();
    assertThat(kill.exitValue()).as("kill -%s %d", name, process.pid()).isZero();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
