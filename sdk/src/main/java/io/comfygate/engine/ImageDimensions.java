package io.comfygate.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Width and height of an image file, read from its header (the pixels are never decoded). */
final class ImageDimensions {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private ImageDimensions() {}

  /** {@code [width, height]}; throws IOException if the file is not an image we can read. */
  static int[] read(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(24);
    }
    if (head.length == 24 && startsWithPng(head)) {
      ByteBuffer b = ByteBuffer.wrap(head);
      return new int[] {b.getInt(16), b.getInt(20)};
    }
    // JPEG, WebP, GIF …: ask ImageIO for the header only.
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IOException("not an image format we can read: " + file.getFileName());
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } finally {
        reader.dispose();
      }
    }
  }

  private static boolean startsWithPng(byte[] head) {
    for (int i = 0; i < PNG.length; i++) {
      if (head[i] != PNG[i]) {
        return false;
      }
    }
    return true;
  }
}
