package io.comfygate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** What every benchmark prints and needs: the machine line, job parameters, temp folders. */
public final class BenchSupport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchSupport() {}

  /** Cores, OS, JVM and date, printed first so that a figure never travels without them. */
  public static String machine() {
    Runtime rt = Runtime.getRuntime();
    return String.format("machine: %d cores, %s %s (%s), Java %s (%s), max heap %d MiB; %s",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.version"),
        System.getProperty("os.arch"), System.getProperty("java.version"), System.getProperty("java.vm.name"),
        rt.maxMemory() / (1024 * 1024), ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  /** The first line of /proc/loadavg (load over 1, 5, 15 minutes, …); "unknown" where there is none. */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Parameters of the shipped txt2img template for a tiny image; the seed is left random. */
  public static ObjectNode tinyJob(String prompt) {
    ObjectNode p = JSON.createObjectNode();
    p.put("prompt", prompt);
    p.put("width", 64);
    p.put("height", 64);
    p.put("steps", 2);
    return p;
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a benchmark's temp folder; best effort, at the end of a run. */
  public static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  /**
   * Runs one statement (CREATE/DROP SCHEMA) on the PostgreSQL at {@code url}, e.g. a benchmark's own
   * schema. Through the driver itself: a WAR undeployed in this JVM deregisters drivers from DriverManager.
   */
  public static void postgresAdmin(String url, String sql) {
    try (java.sql.Connection c = new org.postgresql.Driver().connect(url, new java.util.Properties());
        java.sql.Statement s = c.createStatement()) {
      s.setQueryTimeout(30);
      s.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql + " failed on " + url + ": " + e.getMessage(), e);
    }
  }
}
