package io.comfygate.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.jobs.JobState;
import io.comfygate.queue.QuotaPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A job engine in a JVM of its own, for tests that kill it with SIGKILL mid-flight.
 *
 * <p>Arguments: database (a SQLite file or a {@code jdbc:postgresql:} URL), output folder, ComfyUI
 * base URL, number of jobs, number of users; on PostgreSQL optionally also the instance id, the
 * heartbeat and the lease in milliseconds (it then takes the dispatcher lease at start if free).
 * It submits the jobs round-robin across the users, prints {@code JOB <id>} for each, then
 * {@code READY} once one job runs on the backend, one waits in ComfyUI's own queue and at least one
 * still waits here, and then just keeps running until it is killed. It also stops by itself when
 * its standard input closes (the test JVM died) or after {@link #MAX_LIFETIME}, so a broken test
 * never leaves it behind.
 */
public final class EngineProcess {
  static final String READY = "READY";
  static final String JOB_PREFIX = "JOB ";
  private static final Duration MAX_LIFETIME = Duration.ofSeconds(120);
  private static final Duration READY_WITHIN = Duration.ofSeconds(30);

  private EngineProcess() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5 && args.length != 8) {
      System.err.println("usage: EngineProcess <db> <outputDir> <comfyUrl> <jobs> <users> [<instanceId> <heartbeatMs> <leaseMs>]");
      System.exit(2);
    }
    watchParent();
    int jobCount = Integer.parseInt(args[3]);
    int users = Integer.parseInt(args[4]);
    JobEngine engine = JobEngine.builder()
        .servers(List.of(URI.create(args[2])))
        .database(args[0])
        .outputDir(Path.of(args[1]))
        // Everyone's jobs are admitted: one each on the backend, the rest waiting here.
        .quota(new QuotaPolicy(jobCount, 1))
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100)))
        .cluster(args.length == 8 ? args[5] : null,
            Duration.ofMillis(args.length == 8 ? Long.parseLong(args[6]) : 1000),
            Duration.ofMillis(args.length == 8 ? Long.parseLong(args[7]) : 5000))
        .build();
    ObjectMapper json = new ObjectMapper();
    for (int i = 0; i < jobCount; i++) {
      Job job = engine.submit("user" + (i % users), null,
          json.readTree("{\"prompt\": \"crash " + i + "\", \"width\": 64, \"height\": 64, \"steps\": 4}"));
      System.out.println(JOB_PREFIX + job.id().value());
    }
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (!midFlight(engine)) {
      if (System.nanoTime() > deadline) {
        System.err.println("never reached a running + pre-queued + waiting state: " + engine.backends());
        Runtime.getRuntime().halt(3);
      }
      Thread.sleep(10);
    }
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(MAX_LIFETIME.toMillis());
    Runtime.getRuntime().halt(4);
  }

  /** One job running on a backend, one handed over but not started, and some still waiting here. */
  private static boolean midFlight(JobEngine engine) {
    boolean running = false;
    boolean preQueued = false;
    for (JobEngine.BackendStatus backend : engine.backends()) {
      for (Job job : backend.jobs()) {
        running |= job.state() == JobState.RUNNING;
        // backend() is set once the hand-over is committed, not merely decided
        preQueued |= job.state() == JobState.QUEUED && job.backend() != null;
      }
    }
    return running && preQueued && !engine.waitingJobs().isEmpty();
  }

  private static void watchParent() {
    Thread watcher = new Thread(() -> {
      InputStream in = System.in;
      try {
        while (in.read() >= 0) {
          // nothing is sent; we only wait for the end of the stream
        }
      } catch (IOException e) {
        // the pipe broke: same as its end
      }
      Runtime.getRuntime().halt(5);
    }, "engine-process-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
