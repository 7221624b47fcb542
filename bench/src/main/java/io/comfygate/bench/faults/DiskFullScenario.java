package io.comfygate.bench.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.engine.Job;
import io.comfygate.engine.JobEngine;
import io.comfygate.errors.ComfyException;
import io.comfygate.jobs.JobId;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.testkit.FakeComfyUi;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real full disk under the engine: its SQLite file and output folder on a 4 MB tmpfs, filled up
 * while jobs are submitted and run, then freed. Needs root (it mounts the tmpfs), so it is a
 * scripted scenario run by hand, not a test of the build.
 *
 * <p>What it checks and prints: submits while the disk is full are refused with a clear error
 * and store nothing; jobs that end while it is full reach a recorded end once space is back
 * (failed, naming the full disk, or succeeded); no image row points at a missing file and no
 * temporary file is left; the SQLite file passes {@code PRAGMA integrity_check}; new jobs succeed.
 *
 * <p>Run as root: {@code java -cp "bench/target/classes:bench/target/lib/*" io.comfygate.bench.faults.DiskFullScenario}
 */
public final class DiskFullScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private DiskFullScenario() {}

  public static void main(String[] args) throws Exception {
    Path mount = Files.createTempDirectory("comfygate-diskfull-");
    if (run(List.of("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())) != 0) {
      System.err.println("could not mount a tmpfs (this scenario needs root)");
      System.exit(2);
    }
    boolean ok;
    try {
      ok = scenario(mount);
    } finally {
      run(List.of("umount", mount.toString()));
      Files.deleteIfExists(mount);
    }
    System.out.println(ok ? "RESULT: pass" : "RESULT: FAIL");
    System.exit(ok ? 0 : 1);
  }

  private static boolean scenario(Path disk) throws Exception {
    List<String> failures = new ArrayList<>();
    try (FakeComfyUi comfy = FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(20)).start();
        JobEngine engine = JobEngine.builder().servers(List.of(comfy.baseUrl()))
            .database(disk.resolve("db/app.db").toString()).outputDir(disk.resolve("outputs"))
            .diskMinFreeMb(0).quota(new QuotaPolicy(50, 2)).probeInterval(Duration.ofMillis(500)).build()) {
      List<JobId> before = submit(engine, "before", 3, failures);
      awaitAll(engine, before);
      System.out.println("before filling: " + states(engine, before));

      comfy.hang(true); // these start once the disk is full
      List<JobId> during = submit(engine, "queued", 4, failures);
      Path filler = disk.resolve("filler.bin");
      long filled = fill(filler);
      System.out.println("disk filled with " + filled + " bytes; free now " + Files.getFileStore(disk).getUsableSpace());
      List<String> refusals = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        try {
          engine.submit("full", null, JSON.readTree("{\"prompt\": \"while full\", \"width\": 64, \"height\": 64, \"steps\": 2}"));
          refusals.add("accepted (the database still had room)");
        } catch (ComfyException e) {
          refusals.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
      System.out.println("submits while full: " + refusals);
      comfy.hang(false);
      Thread.sleep(3000); // the jobs run on ComfyUI and try to save their outputs on the full disk
      System.out.println("while full, after 3 s: " + states(engine, during));

      Files.delete(filler);
      System.out.println("space freed");
      awaitAll(engine, during);
      System.out.println("after freeing: " + states(engine, during));
      for (JobId id : during) {
        Job j = engine.find(id).orElseThrow();
        if (!j.state().isTerminal()) {
          failures.add(id + " did not end: " + j.state());
        }
      }
      List<JobId> after = submit(engine, "after", 3, failures);
      awaitAll(engine, after);
      System.out.println("after: " + states(engine, after));
      for (JobId id : after) {
        if (!engine.find(id).orElseThrow().state().wireName().equals("succeeded")) {
          failures.add(id + " after the disk was freed did not succeed");
        }
      }
    }
    checkFiles(disk, failures);
    System.out.println(failures.isEmpty() ? "no failure" : "FAILURES: " + failures);
    return failures.isEmpty();
  }

  private static List<JobId> submit(JobEngine engine, String user, int n, List<String> failures) throws IOException {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(engine.submit(user, null, JSON.readTree("{\"prompt\": \"" + user + " " + i + "\", \"width\": 64, \"height\": 64, \"steps\": 2}")).id());
    }
    return ids;
  }

  private static void awaitAll(JobEngine engine, List<JobId> ids) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (ids.stream().allMatch(id -> engine.find(id).map(j -> j.state().isTerminal()).orElse(false))) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private static Map<String, String> states(JobEngine engine, List<JobId> ids) {
    Map<String, String> out = new TreeMap<>();
    for (JobId id : ids) {
      Job j = engine.find(id).orElseThrow();
      out.put(id.value(), j.state().wireName() + (j.error() == null ? "" : " (" + j.error() + ")"));
    }
    return out;
  }

  /** Writes zeros until the disk is full; returns how many bytes went in. */
  private static long fill(Path file) {
    long written = 0;
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        written += block.length;
      }
    } catch (IOException full) {
      return written;
    }
  }

  /** Every image row has its file, no temporary file is left, and SQLite finds its file intact. */
  private static void checkFiles(Path disk, List<String> failures) throws Exception {
    try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + disk.resolve("db/app.db"), new java.util.Properties());
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        System.out.println("integrity_check: " + rs.getString(1));
        if (!rs.getString(1).equals("ok")) {
          failures.add("integrity_check: " + rs.getString(1));
        }
      }
      int rows = 0;
      try (ResultSet rs = s.executeQuery("SELECT file FROM images")) {
        while (rs.next()) {
          rows++;
          if (!Files.isRegularFile(disk.resolve("outputs").resolve(rs.getString(1)))) {
            failures.add("image row without its file: " + rs.getString(1));
          }
        }
      }
      long files;
      try (Stream<Path> all = Files.walk(disk.resolve("outputs"))) {
        files = all.filter(Files::isRegularFile).count();
      }
      System.out.println("image rows " + rows + ", files in the output folder " + files);
      if (files != rows) {
        failures.add(files + " files in the output folder for " + rows + " image rows (temporary or orphaned files)");
      }
    }
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
