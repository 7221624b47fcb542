package io.comfygate.uploads;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Real image files for upload tests: PNG and JPEG written by ImageIO, WebP from known-good files. */
public final class TestImages {
  /** A 1x1 lossless WebP (VP8L), as browsers' feature checks use it. */
  public static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
  /** A 1x1 lossy WebP (VP8). */
  public static final byte[] WEBP_LOSSY = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");

  private TestImages() {}

  public static byte[] png(int width, int height) {
    return write(width, height, "png", BufferedImage.TYPE_INT_ARGB);
  }

  public static byte[] jpeg(int width, int height) {
    return write(width, height, "jpeg", BufferedImage.TYPE_INT_RGB);
  }

  private static byte[] write(int width, int height, String format, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    for (int x = 0; x < width; x++) {
      image.setRGB(x, x % height, 0xff3366cc);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
