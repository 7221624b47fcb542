package io.comfygate.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.comfygate.errors.UploadRejectedException;
import io.comfygate.errors.UploadRejectedException.Reason;
import io.comfygate.store.SqliteStoreFile;
import io.comfygate.store.jdbc.JdbcUploadStore;
import io.comfygate.testkit.SampleImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only the image is stored: bytes after its end (PNG IEND, the main JPEG's EOI, the WebP RIFF size)
 * are dropped, an EOI inside an EXIF thumbnail is not the end, and the pixel limit is judged from
 * the header before the rest of the file is walked. Crafted bytes, a real SQLite file and folder.
 */
class ImageEndsTest {
  private static final byte[] TAIL = "<?php system($_GET['c']); ?>\u00ff\u00d9 trailing".getBytes(StandardCharsets.ISO_8859_1);

  @RegisterExtension final SqliteStoreFile store = new SqliteStoreFile();
  private Uploads uploads;

  @BeforeEach
  void open() {
    uploads = new Uploads(new JdbcUploadStore(store.db()), store.dir().resolve("uploads"),
        UploadLimits.DEFAULTS.withMaxBytes(2_000_000), Clock.systemUTC());
  }

  @Test
  void bytesAfterAPngsIendAreDropped() throws IOException {
    byte[] png = SampleImages.png(40, 30);
    Upload upload = uploads.store("alice", in(concat(png, TAIL)));

    assertThat(Files.readAllBytes(uploads.file(upload))).isEqualTo(png);
    assertThat(upload.bytes()).isEqualTo(png.length);
  }

  @Test
  void bytesAfterTheMainJpegsEoiAreDroppedAndAThumbnailsEoiInExifIsNotTheEnd() throws IOException {
    byte[] withThumbnail = SampleImages.withExifThumbnail(SampleImages.jpeg(64, 48), SampleImages.jpeg(16, 12));
    Upload upload = uploads.store("alice", in(concat(withThumbnail, TAIL)));

    assertThat(Files.readAllBytes(uploads.file(upload))).isEqualTo(withThumbnail);
    assertThat(upload).extracting(Upload::width, Upload::height).containsExactly(64, 48);
  }

  @Test
  void aProgressiveJpegIsWalkedThroughAllItsScans() throws IOException {
    byte[] progressive = progressiveJpeg(120, 80);
    assertThat(count(progressive, 0xda)).as("scans (SOS markers)").isGreaterThan(1);

    Upload upload = uploads.store("alice", in(concat(progressive, TAIL)));

    assertThat(Files.readAllBytes(uploads.file(upload))).isEqualTo(progressive);
    assertThat(upload).extracting(Upload::width, Upload::height).containsExactly(120, 80);
  }

  @Test
  void aJpegCutBeforeItsEoiIsRefusedEvenIfItsThumbnailHasOne() {
    byte[] main = SampleImages.jpeg(64, 48);
    byte[] withThumbnail = SampleImages.withExifThumbnail(main, SampleImages.jpeg(16, 12));
    byte[] cut = Arrays.copyOf(withThumbnail, withThumbnail.length - main.length / 2);

    assertThatThrownBy(() -> uploads.store("alice", in(cut)))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("JPEG is truncated");
  }

  @Test
  void bytesAfterTheWebpRiffSizeAreDropped() throws IOException {
    for (byte[] webp : new byte[][] {SampleImages.WEBP_LOSSY, SampleImages.WEBP_LOSSLESS, UploadsContract.webpExtended(64, 64)}) {
      Upload upload = uploads.store("alice", in(concat(webp, TAIL)));
      assertThat(Files.readAllBytes(uploads.file(upload))).isEqualTo(webp);
    }
  }

  @Test
  void a254KbPngDeclaring16384x16384IsRefusedFromItsHeader() {
    byte[] bomb = SampleImages.pngDeclaring(16384, 16384, 254 * 1024);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();

    assertThatThrownBy(() -> uploads.store("alice", in(bomb)))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
          assertThat(e.limit()).isEqualTo(16_777_216);
        })
        .hasMessageContaining("16384x16384").hasMessageContaining("268435456")
        .hasMessageContaining("16777216").hasMessageContaining("UPLOAD_MAX_PIXELS");
    // Decoding it would take 16384 x 16384 x 3 bytes (768 MiB); the refusal allocates a few buffers.
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated to refuse it").isLessThan(8 << 20);
    // Judged from IHDR alone: the same header with nothing after it is refused for its pixels, not as truncated.
    byte[] headerOnly = Arrays.copyOf(bomb, 8 + 25);
    assertThatThrownBy(() -> uploads.store("alice", in(headerOnly)))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS));
  }

  @Test
  void thePixelLimitHoldsForEveryFormatAndExactlyTheLimitIsAccepted() throws IOException {
    assertThatThrownBy(() -> uploads.store("alice", in(jpegDeclaring(5000, 4000))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
        .hasMessageContaining("JPEG is 5000x4000");
    assertThatThrownBy(() -> uploads.store("alice", in(UploadsContract.webpExtended(4097, 4096))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
        .hasMessageContaining("WebP is 4097x4096");
    assertThat(uploads.store("alice", in(UploadsContract.webpExtended(4096, 4096))).width()).isEqualTo(4096);
    assertThat(uploads.store("alice", in(SampleImages.pngDeclaring(4096, 4096, 16))).height()).isEqualTo(4096);

    Uploads small = new Uploads(new JdbcUploadStore(store.db()), store.dir().resolve("uploads"),
        UploadLimits.DEFAULTS.withQuota(100, 1 << 30, 40 * 30 - 1), Clock.systemUTC());
    assertThatThrownBy(() -> small.store("alice", in(SampleImages.png(40, 30))))
        .isInstanceOfSatisfying(UploadRejectedException.class, e -> assertThat(e.limit()).isEqualTo(1199))
        .hasMessageContaining("40x30 pixels (1200)");
  }

  /** A JPEG whose frame header claims {@code width x height}; a real 8x8 image otherwise. */
  private static byte[] jpegDeclaring(int width, int height) {
    byte[] jpeg = SampleImages.jpeg(8, 8);
    for (int i = 2; i + 9 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
        ByteBuffer.wrap(jpeg, i + 5, 4).putShort((short) height).putShort((short) width);
        return jpeg;
      }
    }
    throw new AssertionError("no SOF0 in the sample JPEG");
  }

  private static byte[] progressiveJpeg(int width, int height) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(SampleImages.png(width, height)));
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    rgb.getGraphics().drawImage(image, 0, 0, null);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream target = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(target);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(rgb, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static int count(byte[] jpeg, int marker) {
    int n = 0;
    for (int i = 0; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == marker) {
        n++;
      }
    }
    return n;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static ByteArrayInputStream in(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }
}
