package io.comfygate.testkit;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * A simulated IMAGE or LATENT batch: only its size and a seed that stands for its content. Real
 * pixels are made only when a node saves or previews it.
 */
record Img(int width, int height, int batch, long seed) {

  Img withSeed(long s) {
    return new Img(width, height, batch, s);
  }

  /** A PNG of batch item {@code index}: a diagonal gradient whose two colours derive from the seed. */
  byte[] png(int index) {
    return png(width, height, mix(seed, index));
  }

  static byte[] png(int width, int height, long seed) {
    return encode(gradient(width, height, seed), "png");
  }

  /** A diagonal gradient between two colours drawn from {@code seed}. */
  static BufferedImage gradient(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int from = (int) (seed & 0xFFFFFF);
    int to = (int) (mix(seed, 7) & 0xFFFFFF);
    int span = Math.max(1, width + height - 2);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        row[x] = lerp(from, to, (x + y) / (double) span);
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    return image;
  }

  /** The image in an ImageIO format ({@code png}, {@code jpeg}). */
  static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static long mix(long a, long b) {
    long h = a * 0x9E3779B97F4A7C15L + b;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 29);
  }

  private static int lerp(int a, int b, double t) {
    int r = (int) (((a >> 16) & 0xFF) * (1 - t) + ((b >> 16) & 0xFF) * t);
    int g = (int) (((a >> 8) & 0xFF) * (1 - t) + ((b >> 8) & 0xFF) * t);
    int bl = (int) ((a & 0xFF) * (1 - t) + (b & 0xFF) * t);
    return (r << 16) | (g << 8) | bl;
  }
}
