package io.comfygate.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Real image files for tests of uploads and image inputs: PNG and JPEG of any size, tiny WebP files,
 * and crafted ones (a PNG whose header declares any size, a JPEG carrying an EXIF thumbnail).
 */
public final class SampleImages {
  /** A 1x1 lossless WebP (VP8L), the one browsers' feature checks use. */
  public static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
  /** A 1x1 lossy WebP (VP8). */
  public static final byte[] WEBP_LOSSY = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");

  private SampleImages() {}

  /** A PNG of this size (a gradient). */
  public static byte[] png(int width, int height) {
    return Img.png(width, height, 1);
  }

  /** A JPEG of this size (a gradient). */
  public static byte[] jpeg(int width, int height) {
    return Img.encode(Img.gradient(width, height, 1), "jpeg");
  }

  /**
   * A PNG whose header declares {@code width x height} (nothing checks that the data matches) with
   * {@code dataBytes} random bytes as its IDAT, then IEND: a small file that claims a huge image.
   */
  public static byte[] pngDeclaring(int width, int height, int dataBytes) {
    byte[] data = new byte[dataBytes];
    new Random(7).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).array());
    chunk(out, "IDAT", data);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** A real PNG of this size, made {@code padding} bytes larger by a private ancillary chunk before IEND. */
  public static byte[] pngPadded(int width, int height, int padding) {
    byte[] png = png(width, height);
    int iend = png.length - 12;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, iend);
    chunk(out, "prVt", new byte[Math.max(0, padding - 12)]);
    out.write(png, iend, 12);
    return out.toByteArray();
  }

  /** {@code main} with an APP1 "Exif" segment right after its SOI that holds the whole {@code thumbnail} JPEG (SOI ... EOI). */
  public static byte[] withExifThumbnail(byte[] main, byte[] thumbnail) {
    byte[] exifHeader = "Exif\0\0MM\0*\0\0\0\b".getBytes(StandardCharsets.ISO_8859_1);
    int length = 2 + exifHeader.length + thumbnail.length;
    if (length > 0xffff) {
      throw new IllegalArgumentException("the thumbnail must be under 64 KB: " + thumbnail.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe1, (byte) (length >> 8), (byte) length});
    out.writeBytes(exifHeader);
    out.writeBytes(thumbnail);
    out.write(main, 2, main.length - 2);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
