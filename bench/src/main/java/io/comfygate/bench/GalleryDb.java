package io.comfygate.bench;

import io.comfygate.store.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * A SQLite file in the store's own schema (made by {@link Stores}' migrations) holding
 * {@value #IMAGES} images of {@value #USERS} users: {@value #JOBS} succeeded jobs of 4 images each,
 * created over one year, about 5% of the images in the trash. Built once (about a minute), then
 * reused while its marker file exists. Deterministic: the same seed gives the same rows.
 */
final class GalleryDb {
  static final int USERS = 1_000;
  static final int IMAGES_PER_JOB = 4;
  static final int JOBS = 250_000;
  static final int IMAGES = JOBS * IMAGES_PER_JOB;
  /** Creation times span one year back from this instant. */
  static final Instant END = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration SPAN = Duration.ofDays(365);
  private static final int COMMIT_EVERY_JOBS = 25_000;
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

  private GalleryDb() {}

  static String user(int n) {
    return String.format("user-%04d", n);
  }

  /** Makes the file unless a finished one is there; returns it. */
  static Path ensure(Path file) throws Exception {
    Path marker = file.resolveSibling(file.getFileName() + ".done");
    if (Files.exists(file) && Files.exists(marker)) {
      System.out.println("reusing " + file);
      return file;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
    }
    long t0 = System.nanoTime();
    try (Stores db = Stores.open(file.toString())) {
      System.out.println("schema version " + db.schemaVersion() + "; filling " + IMAGES + " images");
    }
    fill(file);
    Files.writeString(marker, "1\n");
    System.out.printf("built %s in %.1f s%n", file, (System.nanoTime() - t0) / 1e9);
    return file;
  }

  private static void fill(Path file) throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    long startMs = END.minus(SPAN).toEpochMilli();
    long stepMs = SPAN.toMillis() / JOBS;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = OFF"); // a throw-away file: a crash just means rebuild
        s.execute("PRAGMA cache_size = -262144");
      }
      c.setAutoCommit(false);
      try (PreparedStatement job = c.prepareStatement("""
               INSERT INTO jobs (id, user_id, template, params, state, backend, prompt_id, created_at,
                                 started_at, finished_at, error)
               VALUES (?, ?, 'txt2img', ?, 'succeeded', '127.0.0.1:8188', ?, ?, ?, ?, NULL)""");
           PreparedStatement image = c.prepareStatement("""
               INSERT INTO images (id, job_id, user_id, file, width, height, size_bytes, template,
                                   params, created_at, deleted_at)
               VALUES (?, ?, ?, ?, 512, 512, ?, 'txt2img', ?, ?, ?)""")) {
        for (int j = 0; j < JOBS; j++) {
          long created = startMs + j * stepMs + random.nextLong(stepMs);
          long finished = created + 2_000 + random.nextInt(20_000);
          String user = user(random.nextInt(USERS));
          String jobId = id('j', created, random);
          String params = "{\"prompt\":\"a lighthouse at dusk, oil painting, job " + j
              + "\",\"width\":512,\"height\":512,\"steps\":20,\"seed\":" + random.nextInt(Integer.MAX_VALUE) + "}";
          job.setString(1, jobId);
          job.setString(2, user);
          job.setString(3, params);
          job.setString(4, "p" + jobId.substring(1));
          job.setLong(5, created);
          job.setLong(6, created + 100);
          job.setLong(7, finished);
          job.addBatch();
          for (int k = 0; k < IMAGES_PER_JOB; k++) {
            image.setString(1, id('i', finished, random));
            image.setString(2, jobId);
            image.setString(3, user);
            image.setString(4, "2025-01-01/" + jobId + "-" + k + ".png");
            image.setLong(5, 300_000 + random.nextInt(200_000));
            image.setString(6, params);
            image.setLong(7, finished);
            if (random.nextInt(100) < 5) {
              image.setLong(8, finished + random.nextLong(Duration.ofDays(7).toMillis()));
            } else {
              image.setNull(8, java.sql.Types.BIGINT);
            }
            image.addBatch();
          }
          if ((j + 1) % COMMIT_EVERY_JOBS == 0) {
            job.executeBatch();
            image.executeBatch();
            c.commit();
            System.out.printf("  %d / %d images%n", (j + 1) * IMAGES_PER_JOB, IMAGES);
          }
        }
        job.executeBatch();
        image.executeBatch();
        c.commit();
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        // No ANALYZE: the store never runs it, so the planner sees what it sees in production.
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      }
    }
  }

  /** An id in the store's format: prefix, 10 base32 chars of milliseconds, 16 random base32 chars. */
  private static String id(char prefix, long millis, SplittableRandom random) {
    char[] out = new char[27];
    out[0] = prefix;
    for (int i = 10; i >= 1; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    for (int i = 11; i < 27; i++) {
      out[i] = ALPHABET[random.nextInt(32)];
    }
    return new String(out);
  }
}
