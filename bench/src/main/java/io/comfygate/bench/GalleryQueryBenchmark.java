package io.comfygate.bench;

import io.comfygate.store.ImageQuery;
import io.comfygate.store.ImageStore;
import io.comfygate.store.Include;
import io.comfygate.store.Page;
import io.comfygate.store.PageRequest;
import io.comfygate.store.StoredImage;
import io.comfygate.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Gallery and admin listing latency through the JDBC {@link ImageStore} on a SQLite file with 1 M images
 * of 1 k users ({@link GalleryDb}), single-threaded, pages of {@value #PAGE_SIZE}. JMH sample-time
 * mode: every call is timed, so p50 and p99 are of single queries. Each call asks for the next
 * user (or the next week), so consecutive calls do not hit the same rows.
 *
 * <p>Run with {@link #main}: it builds the file if needed (into {@code bench/target/} by default,
 * or the path given as the first argument), then runs JMH with one fork.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class GalleryQueryBenchmark {
  static final int PAGE_SIZE = 50;
  static final String DB_PROPERTY = "bench.galleryDb";
  private static final Duration WEEK = Duration.ofDays(7);

  private Stores db;
  private ImageStore images;
  private int next;

  @Setup(Level.Trial)
  public void open() {
    db = Stores.open(System.getProperty(DB_PROPERTY));
    images = db.images();
  }

  @TearDown(Level.Trial)
  public void close() {
    db.close();
  }

  private String nextUser() {
    next = (next + 7) % GalleryDb.USERS; // 7 is coprime with 1000: every user in turn
    return GalleryDb.user(next);
  }

  /** A user's gallery, first page: what the browser opens. */
  @Benchmark
  public Page<StoredImage> galleryPage1() {
    return images.gallery(nextUser(), Include.ACTIVE, new PageRequest(1, PAGE_SIZE));
  }

  /** The same user's last full page (offset 900 of about 950 active images). */
  @Benchmark
  public Page<StoredImage> galleryDeepPage() {
    return images.gallery(nextUser(), Include.ACTIVE, new PageRequest(19, PAGE_SIZE));
  }

  /** A user's trash (about 50 images). */
  @Benchmark
  public Page<StoredImage> trash() {
    return images.gallery(nextUser(), Include.DELETED, new PageRequest(1, PAGE_SIZE));
  }

  /** Admin: one user's images, active and trashed. */
  @Benchmark
  public Page<StoredImage> adminByUser() {
    return images.search(ImageQuery.all().withUser(nextUser()).withInclude(Include.ALL), new PageRequest(1, PAGE_SIZE));
  }

  /** Admin: every user's active images of one week (about 19 k rows match). */
  @Benchmark
  public Page<StoredImage> adminDateRange() {
    next = (next + 1) % 52;
    Instant from = GalleryDb.END.minus(GalleryDb.SPAN).plus(WEEK.multipliedBy(next));
    return images.search(ImageQuery.all().withRange(from, from.plus(WEEK)), new PageRequest(1, PAGE_SIZE));
  }

  /** Admin: everything, trash included, newest first, page 1. */
  @Benchmark
  public Page<StoredImage> adminAllPage1() {
    return images.search(ImageQuery.all().withInclude(Include.ALL), new PageRequest(1, PAGE_SIZE));
  }

  public static void main(String[] args) throws Exception {
    System.out.println(BenchSupport.machine());
    Path file = GalleryDb.ensure(Path.of(args.length > 0 ? args[0] : "bench/target/gallery-1m.db").toAbsolutePath());
    Options options = new OptionsBuilder()
        .include(GalleryQueryBenchmark.class.getName() + "\\.")
        .jvmArgsAppend("-D" + DB_PROPERTY + "=" + file)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    System.out.println();
    System.out.printf("%-18s %10s %10s %10s %8s%n", "query", "p50 ms", "p99 ms", "max ms", "n");
    for (RunResult r : results) {
      Statistics s = r.getPrimaryResult().getStatistics();
      String name = r.getParams().getBenchmark();
      System.out.printf(Locale.ROOT, "%-18s %10.3f %10.3f %10.3f %8d%n", name.substring(name.lastIndexOf('.') + 1),
          s.getPercentile(50), s.getPercentile(99), s.getMax(), s.getN());
    }
  }
}
