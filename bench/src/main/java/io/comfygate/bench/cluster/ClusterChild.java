package io.comfygate.bench.cluster;

import io.comfygate.bench.BenchSupport;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.queue.QuotaPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One engine instance in a JVM of its own, for {@link FailoverBenchmark} to kill with SIGKILL.
 *
 * <p>Arguments: database URL, output folder, ComfyUI base URL, instance id, heartbeat and lease in
 * milliseconds. Prints {@value #READY} once the engine runs (it has joined the cluster), then reads
 * commands on its standard input: {@code submit N} submits N tiny jobs (users round-robin) and
 * prints {@code JOB <id>} for each. It ends when its standard input closes (the benchmark ended
 * or died) or after {@link #MAX_LIFETIME}, so it is never left behind.
 */
public final class ClusterChild {
  static final String READY = "READY";
  static final String JOB_PREFIX = "JOB ";
  static final int USERS = 5;
  private static final Duration MAX_LIFETIME = Duration.ofMinutes(20);

  private ClusterChild() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: ClusterChild <db> <outputDir> <comfyUrl> <instanceId> <heartbeatMs> <leaseMs>");
      System.exit(2);
    }
    Thread lifetime = new Thread(() -> {
      try {
        Thread.sleep(MAX_LIFETIME.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      Runtime.getRuntime().halt(4);
    }, "cluster-child-lifetime");
    lifetime.setDaemon(true);
    lifetime.start();
    JobEngine engine = JobEngine.builder()
        .servers(List.of(URI.create(args[2])))
        .database(args[0])
        .outputDir(Path.of(args[1]))
        .quota(new QuotaPolicy(100_000, 1))
        .cluster(args[3], Duration.ofMillis(Long.parseLong(args[4])), Duration.ofMillis(Long.parseLong(args[5])))
        .build();
    System.out.println(READY);
    System.out.flush();
    int n = 0;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith("submit ")) {
        for (int i = Integer.parseInt(line.substring("submit ".length()).trim()); i > 0; i--, n++) {
          Job job = engine.submit("user" + (n % USERS), null, BenchSupport.tinyJob("failover " + args[3] + " " + n));
          System.out.println(JOB_PREFIX + job.id().value());
        }
        System.out.flush();
      }
    }
    // The benchmark closed our input: stop at once, like the kill it stands for, but bounded.
    Runtime.getRuntime().halt(0);
  }
}
