package io.comfygate.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.UploadNotFoundException;
import io.comfygate.errors.UploadRejectedException;
import io.comfygate.errors.UploadRejectedException.Reason;
import io.comfygate.store.StoreContractSupport;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcUploadStore;
import io.comfygate.testkit.FakeClock;
import io.comfygate.testkit.SampleImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upload storage on a real database (a SQLite file or a PostgreSQL schema) and folder: content
 * sniffing, the size limit, ownership, quotas (also under parallel uploads), retention.
 */
public abstract class UploadsContract {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

  /** The database and folder under test: fresh for each test. */
  protected abstract StoreContractSupport.Stores store();

  private Database db;
  private Path dir;
  private Uploads uploads;

  @BeforeEach
  void open() {
    db = store().db();
    dir = store().dir().resolve("outputs/uploads");
    uploads = new Uploads(new JdbcUploadStore(db), dir, 100_000, Clock.fixed(T0, ZoneOffset.UTC));
  }

  @Test
  void pngJpegAndWebpAreStoredWithTheTypeAndSizeTheirBytesShow() throws IOException {
    Upload png = uploads.store("alice", in(SampleImages.png(40, 30)));
    Upload jpeg = uploads.store("alice", in(SampleImages.jpeg(33, 17)));
    Upload lossless = uploads.store("alice", in(SampleImages.WEBP_LOSSLESS));
    Upload lossy = uploads.store("alice", in(SampleImages.WEBP_LOSSY));
    Upload extended = uploads.store("alice", in(webpExtended(640, 480)));

    assertThat(png).extracting(Upload::contentType, Upload::width, Upload::height).containsExactly("image/png", 40, 30);
    assertThat(jpeg).extracting(Upload::contentType, Upload::width, Upload::height).containsExactly("image/jpeg", 33, 17);
    assertThat(lossless).extracting(Upload::contentType, Upload::width, Upload::height).containsExactly("image/webp", 1, 1);
    assertThat(lossy).extracting(Upload::contentType, Upload::width, Upload::height).containsExactly("image/webp", 1, 1);
    assertThat(extended).extracting(Upload::width, Upload::height).containsExactly(640, 480);
    assertThat(png.bytes()).isEqualTo(SampleImages.png(40, 30).length);
    assertThat(Files.readAllBytes(uploads.file(jpeg))).isEqualTo(SampleImages.jpeg(33, 17));
    assertThat(uploads.find(png.id())).contains(png);
    assertThat(png.file()).isEqualTo(png.id().value() + ".png");
    assertThat(jpeg.file()).endsWith(".jpg");
    assertThat(lossy.file()).endsWith(".webp");
    assertThat(png.createdAt()).isEqualTo(T0);
  }

  @Test
  void aTextFileNamedPngIsRefusedAsUnsupportedAndNothingIsKept() throws IOException {
    assertThatThrownBy(() -> uploads.store("alice", in("just some text, named cat.png".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TYPE))
        .hasMessageContaining("not a PNG, JPEG or WebP image");
    assertThatThrownBy(() -> uploads.store("alice", in(new byte[0])))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("empty");
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void truncatedImagesAreRefusedAsMalformed() throws IOException {
    byte[] png = SampleImages.png(64, 64);
    assertThatThrownBy(() -> uploads.store("alice", in(Arrays.copyOf(png, png.length - 10))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("PNG is truncated");
    assertThatThrownBy(() -> uploads.store("alice", in(Arrays.copyOf(png, 20))))
        .isInstanceOf(UploadRejectedException.class).hasMessageContaining("truncated");
    byte[] jpeg = SampleImages.jpeg(64, 64);
    assertThatThrownBy(() -> uploads.store("alice", in(Arrays.copyOf(jpeg, jpeg.length / 2))))
        .isInstanceOf(UploadRejectedException.class).hasMessageContaining("JPEG is truncated");
    byte[] webp = SampleImages.WEBP_LOSSY;
    assertThatThrownBy(() -> uploads.store("alice", in(Arrays.copyOf(webp, webp.length - 4))))
        .isInstanceOf(UploadRejectedException.class).hasMessageContaining("WebP is truncated");
    assertThat(filesIn(dir)).isEmpty();
  }

  @Test
  void absurdDimensionsAreRefused() {
    assertThatThrownBy(() -> uploads.store("alice", in(webpExtended(20_000, 10))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("20000x10").hasMessageContaining("1 to 16384");
  }

  @Test
  void anOversizeBodyIsRefusedWhileStreamingWithoutReadingItAll() throws IOException {
    CountingEndlessStream endless = new CountingEndlessStream(SampleImages.png(8, 8));

    assertThatThrownBy(() -> uploads.store("alice", endless))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
          assertThat(e.limit()).isEqualTo(100_000);
        })
        .hasMessageContaining("100000 bytes").hasMessageContaining("UPLOAD_MAX_BYTES");
    assertThat(endless.read).as("bytes read of an endless body").isBetween(100_001L, 100_000L + 64 * 1024);
    assertThat(filesIn(dir)).isEmpty();
    // Exactly at the limit is fine.
    Uploads tight = new Uploads(new JdbcUploadStore(db), dir, SampleImages.png(8, 8).length, Clock.systemUTC());
    assertThat(tight.store("alice", in(SampleImages.png(8, 8))).bytes()).isEqualTo(SampleImages.png(8, 8).length);
  }

  @Test
  void filesAreNamedByIdAndIdsFromOutsideCannotReachOtherPaths() throws IOException {
    Files.createDirectories(dir);
    Files.writeString(store().dir().resolve("outputs/secret.txt"), "secret");
    Upload upload = uploads.store("alice", in(SampleImages.png(4, 4)));

    assertThat(upload.id().value()).matches("u[0-9a-z]{26}");
    assertThat(uploads.file(upload).getParent()).isEqualTo(dir);
    for (String hostile : new String[] {"../secret.txt", "..%2Fsecret.txt", "/etc/passwd", upload.id().value() + "/../x", "", null}) {
      assertThatThrownBy(() -> uploads.get(hostile, "alice")).isInstanceOf(UploadNotFoundException.class);
    }
    assertThatThrownBy(() -> UploadId.of("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyTheOwnerOrAnAdministratorGetsAnUpload() throws IOException {
    Upload upload = uploads.store("alice", in(SampleImages.png(4, 4)));

    assertThat(uploads.get(upload.id().value(), "alice")).isEqualTo(upload);
    assertThat(uploads.get(upload.id().value(), null)).isEqualTo(upload);
    assertThatThrownBy(() -> uploads.get(upload.id().value(), "bob"))
        .isInstanceOf(UploadNotFoundException.class).hasMessage("No upload " + upload.id().value());
  }

  @Test
  void uploadsOlderThanTheCutoffAreRemovedWithTheirFiles() throws IOException {
    Upload old = uploads.store("alice", in(SampleImages.png(4, 4)));
    Upload fresh = new Uploads(new JdbcUploadStore(db), dir, 100_000, Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC))
        .store("alice", in(SampleImages.png(5, 5)));

    assertThat(uploads.removeCreatedBefore(T0.plusSeconds(60))).isEqualTo(1);

    assertThat(uploads.find(old.id())).isEmpty();
    assertThat(uploads.file(old)).doesNotExist();
    assertThat(uploads.find(fresh.id())).isPresent();
    assertThat(uploads.file(fresh)).exists();
  }

  @Test
  void aUserKeepsAtMostTheCountQuotaUntilTheOldestExpiresOrIsRemoved() throws IOException {
    FakeClock clock = FakeClock.at(T0);
    Uploads limited = new Uploads(new JdbcUploadStore(db), dir, new UploadLimits(100_000, 1 << 24, 3, 1 << 30, Duration.ofHours(24)), clock);
    Upload first = limited.store("alice", in(SampleImages.png(4, 4)));
    clock.advance(Duration.ofHours(1));
    limited.store("alice", in(SampleImages.png(4, 4)));
    limited.store("alice", in(SampleImages.png(4, 4)));

    CountingEndlessStream body = new CountingEndlessStream(SampleImages.png(4, 4));
    assertThatThrownBy(() -> limited.store("alice", body))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo(3);
          assertThat(e.userId()).isEqualTo("alice");
          assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(23)); // when the first one expires
        })
        .hasMessageContaining("UPLOAD_MAX_PER_USER=3").hasMessageContaining("23 h");
    assertThat(body.read).as("bytes read of a body refused for the quota").isZero();
    assertThat(limited.store("bob", in(SampleImages.png(4, 4)))).as("another user's quota").isNotNull();
    assertThat(filesIn(dir)).hasSize(4);

    limited.removeCreatedBefore(first.createdAt().plusMillis(1)); // removed: its place is free
    Upload fourth = limited.store("alice", in(SampleImages.png(4, 4)));
    assertThatThrownBy(() -> limited.store("alice", in(SampleImages.png(4, 4)))).isInstanceOf(QuotaExceededException.class);

    clock.advance(Duration.ofHours(24).plusMillis(1)); // all three expire (the sweep has not run yet): they count no more
    assertThat(limited.store("alice", in(SampleImages.png(4, 4))).createdAt()).isAfter(fourth.createdAt());
    assertThat(limited.store("alice", in(SampleImages.png(4, 4)))).isNotNull();
    assertThat(limited.store("alice", in(SampleImages.png(4, 4)))).isNotNull();
    assertThatThrownBy(() -> limited.store("alice", in(SampleImages.png(4, 4)))).isInstanceOf(QuotaExceededException.class);
  }

  @Test
  void aUserKeepsAtMostTheBytesQuotaCountingOnlyTheImagesStored() throws IOException {
    byte[] png = SampleImages.png(32, 32);
    byte[] padded = Arrays.copyOf(png, png.length * 3); // what follows IEND is dropped: it does not count
    Uploads limited = new Uploads(new JdbcUploadStore(db), dir, new UploadLimits(100_000, 1 << 24, 100, png.length * 2L + 100,
        Duration.ofHours(24)), Clock.fixed(T0, ZoneOffset.UTC));
    assertThat(limited.store("alice", in(padded)).bytes()).isEqualTo(png.length);
    assertThat(limited.store("alice", in(padded)).bytes()).isEqualTo(png.length);

    assertThatThrownBy(() -> limited.store("alice", in(png)))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.USER_BYTES_QUOTA);
          assertThat(e.limit()).isEqualTo(png.length * 2L + 100);
        })
        .hasMessageContaining("UPLOAD_MAX_BYTES_PER_USER").hasMessageContaining(png.length * 2 + " bytes");
    assertThat(limited.store("alice", in(SampleImages.png(1, 1)))).as("a small one still fits").isNotNull();
    assertThat(filesIn(dir)).hasSize(3);
  }

  @Test
  void parallelUploadsCannotOvershootTheQuotaTogether() throws Exception {
    Uploads limited = new Uploads(new JdbcUploadStore(db), dir, new UploadLimits(100_000, 1 << 24, 3, 1 << 30, Duration.ofHours(24)),
        Clock.systemUTC());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> {
          start.await();
          try {
            limited.store("alice", in(SampleImages.png(16, 16)));
            return true;
          } catch (QuotaExceededException e) {
            return false;
          }
        }));
      }
      start.countDown();
      int stored = 0;
      for (java.util.concurrent.Future<Boolean> r : results) {
        stored += r.get(30, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(stored).isEqualTo(3);
      assertThat(filesIn(dir)).hasSize(3);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A VP8X WebP header of the given canvas, followed by a 1x1 VP8L image. */
  static byte[] webpExtended(int width, int height) {
    byte[] vp8l = Arrays.copyOfRange(SampleImages.WEBP_LOSSLESS, 12, SampleImages.WEBP_LOSSLESS.length);
    ByteBuffer b = ByteBuffer.allocate(12 + 18 + vp8l.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 18 + vp8l.length).put("WEBP".getBytes(StandardCharsets.US_ASCII));
    b.put("VP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
    putUint24(b, width - 1);
    putUint24(b, height - 1);
    b.put(vp8l);
    return b.array();
  }

  private static void putUint24(ByteBuffer b, int v) {
    b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
  }

  private static InputStream in(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }

  private static java.util.List<Path> filesIn(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return java.util.List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList();
    }
  }

  /** A valid PNG head followed by endless bytes; counts what was read. */
  private static final class CountingEndlessStream extends InputStream {
    private final byte[] head;
    long read;

    CountingEndlessStream(byte[] head) {
      this.head = head;
    }

    @Override
    public int read() {
      byte b = read < head.length ? head[(int) read] : 7;
      read++;
      return b & 0xff;
    }

    @Override
    public int read(byte[] buffer, int off, int len) {
      for (int i = 0; i < len; i++) {
        buffer[off + i] = (byte) read();
      }
      return len;
    }
  }
}
