package io.comfygate.testkit;

import java.util.Base64;

/** Real image files for tests of uploads and image inputs: PNG and JPEG of any size, tiny WebP files. */
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
}
