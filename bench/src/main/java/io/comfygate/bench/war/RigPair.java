package io.comfygate.bench.war;

import io.comfygate.bench.BenchSupport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Two WARs ({@link Rig}s, instances {@value #A} and {@value #B}) on one fresh PostgreSQL schema and one
 * output folder, with the default heartbeat and lease. The PostgreSQL is the tests' server, or the one
 * {@code -Dcomfygate.test.postgresql} names. {@link #close()} stops both and drops the schema.
 */
final class RigPair implements AutoCloseable {
  static final String A = "gw-a";
  static final String B = "gw-b";

  final Rig a;
  final Rig b;
  private final String server;
  private final String schema;
  private final Path outputs;

  private RigPair(Rig a, Rig b, String server, String schema, Path outputs) {
    this.a = a;
    this.b = b;
    this.server = server;
    this.schema = schema;
    this.outputs = outputs;
  }

  static RigPair start(List<URI> comfyUis, Map<String, String> settings, PrintStream out) throws IOException {
    String server = System.getProperty("comfygate.test.postgresql", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    String schema = "cg_bench_pair_" + UUID.randomUUID().toString().replace("-", "");
    Path outputs = BenchSupport.tempDir("comfygate-pair-outputs");
    BenchSupport.postgresAdmin(server, "CREATE SCHEMA " + schema);
    Map<String, String> shared = new HashMap<>(settings);
    shared.put("JOB_DB_PATH", server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    shared.put("OUTPUT_DIR", outputs.toString());
    Rig a = null;
    try {
      shared.put("INSTANCE_ID", A);
      a = Rig.start(comfyUis, shared, out);
      shared.put("INSTANCE_ID", B);
      return new RigPair(a, Rig.start(comfyUis, shared, out), server, schema, outputs);
    } catch (RuntimeException | IOException e) {
      if (a != null) {
        a.close();
      }
      BenchSupport.postgresAdmin(server, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      throw e;
    }
  }

  /** The instance holding the dispatcher lease (admin status {@code cluster.dispatcher}), waiting for one. */
  Rig dispatcher(Duration within) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String holder = a.admin("api/v1/admin/status").path("cluster").path("dispatcher").asText("");
      if (holder.equals(A) || holder.equals(B)) {
        return holder.equals(A) ? a : b;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("neither instance holds the dispatcher lease after " + within);
  }

  Rig other(Rig rig) {
    return rig == a ? b : a;
  }

  @Override
  public void close() {
    try {
      a.close();
    } finally {
      try {
        b.close();
      } finally {
        BenchSupport.postgresAdmin(server, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        BenchSupport.deleteTree(outputs);
      }
    }
  }
}
