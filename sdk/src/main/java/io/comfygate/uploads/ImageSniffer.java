package io.comfygate.uploads;

import io.comfygate.errors.UploadRejectedException;
import io.comfygate.errors.UploadRejectedException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tells what image a file holds from its bytes alone (a name or a declared content type proves
 * nothing): PNG, JPEG or WebP, with width and height from its header, and where the image ends. The
 * structure is walked to its end (PNG chunk by chunk to IEND; JPEG segment by segment and through
 * its scans to the EOI of the main image, so the EOI of a thumbnail inside an EXIF segment does not
 * count; WebP to its RIFF size) to refuse truncated files and to find bytes appended after the
 * image. Pixels are never decoded, and the dimensions are checked as soon as the header gives them,
 * before the rest of the file is read.
 */
final class ImageSniffer {
  /** Larger sides are refused: no real input needs them, and they would exhaust ComfyUI's memory. */
  static final int MAX_SIDE = 16384;
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /**
   * What a file turned out to be.
   *
   * @param length where the image ends: bytes after it are not part of it
   */
  record Sniffed(ImageKind kind, int width, int height, long length) {}

  private final long limitBytes;
  private final long maxPixels;

  /**
   * @param limitBytes UPLOAD_MAX_BYTES, carried by refusals
   * @param maxPixels UPLOAD_MAX_PIXELS: an image declaring more is refused from its header
   */
  ImageSniffer(long limitBytes, long maxPixels) {
    this.limitBytes = limitBytes;
    this.maxPixels = maxPixels;
  }

  /** @throws UploadRejectedException (UNSUPPORTED_TYPE, TOO_MANY_PIXELS or MALFORMED) naming what is wrong */
  Sniffed sniff(Path file) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      ByteCursor in = new ByteCursor(channel);
      if (in.size() == 0) {
        throw malformed("The file is empty");
      }
      byte[] head = new byte[(int) Math.min(12, in.size())];
      channel.read(ByteBuffer.wrap(head));
      if (startsWith(head, PNG_SIGNATURE)) {
        return png(in);
      } else if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
        return jpeg(in);
      } else if (head.length >= 12 && ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("WEBP")) {
        return webp(in);
      }
      throw new UploadRejectedException(Reason.UNSUPPORTED_TYPE, "The file is not a PNG, JPEG or WebP image"
          + " (judged by its content; its name and declared type do not count)", limitBytes);
    } catch (EOFException e) {
      throw malformed("The image is truncated: it ends before its header is complete");
    }
  }

  /** Refuses unusable sides and more pixels than allowed, before anything else is read. */
  private void checkSize(ImageKind kind, long width, long height) {
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      throw malformed("The " + name(kind) + " is " + width + "x" + height + " pixels; each side must be 1 to " + MAX_SIDE);
    }
    if (width * height > maxPixels) {
      throw new UploadRejectedException(Reason.TOO_MANY_PIXELS, "The " + name(kind) + " is " + width + "x" + height
          + " pixels (" + width * height + "); at most " + maxPixels + " pixels are accepted (UPLOAD_MAX_PIXELS)",
          maxPixels);
    }
  }

  /** Signature, IHDR first (checked at once), then chunk by chunk (lengths only) up to IEND. */
  private Sniffed png(ByteCursor in) throws IOException {
    in.skip(PNG_SIGNATURE.length);
    if (in.u32() != 13 || !ascii(in.bytes(4), 0, 4).equals("IHDR")) {
      throw malformed("The PNG does not start with its IHDR header chunk");
    }
    long width = in.u32();
    long height = in.u32();
    checkSize(ImageKind.PNG, width, height);
    long pos = PNG_SIGNATURE.length;
    while (true) {
      if (pos + 12 > in.size()) {
        throw malformed("The PNG is truncated: it ends after " + in.size() + " bytes, before its IEND chunk");
      }
      in.seek(pos);
      long length = in.u32();
      String type = ascii(in.bytes(4), 0, 4);
      if (length > Integer.MAX_VALUE || !type.chars().allMatch(c -> c < 128 && Character.isLetter(c))) {
        throw malformed("The PNG is damaged: a chunk at byte " + pos + " is malformed");
      }
      pos += 12 + length;
      if (type.equals("IEND")) {
        if (pos > in.size()) {
          throw malformed("The PNG is truncated in its IEND chunk");
        }
        return new Sniffed(ImageKind.PNG, (int) width, (int) height, pos);
      }
    }
  }

  /**
   * SOI, then marker segments (skipped by their length, so an EXIF thumbnail inside APP1 is never
   * looked at) with the frame header (SOFn) checked at once; each scan's entropy-coded data is
   * walked to the next marker; the image ends at its EOI.
   */
  private Sniffed jpeg(ByteCursor in) throws IOException {
    in.skip(2);
    Sniffed frame = null;
    try {
      int m = marker(in);
      while (true) {
        if (m == 0xd9) {
          if (frame == null) {
            throw malformed("The JPEG has no frame header (SOF) before its end");
          }
          return new Sniffed(ImageKind.JPEG, frame.width(), frame.height(), in.pos());
        }
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
          m = marker(in); // markers without a length
          continue;
        }
        if (m == 0xd8) {
          throw malformed("The JPEG is damaged: a second start marker at byte " + (in.pos() - 2));
        }
        long start = in.pos() - 2;
        int length = in.u16();
        if (length < 2) {
          throw malformed("The JPEG is damaged: a segment at byte " + start + " has length " + length);
        }
        boolean sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof && frame == null) {
          in.skip(1); // sample precision
          int height = in.u16();
          int width = in.u16();
          checkSize(ImageKind.JPEG, width, height);
          frame = new Sniffed(ImageKind.JPEG, width, height, 0);
          in.skip(start + 2 + length - in.pos());
        } else {
          in.skip(length - 2);
        }
        if (m == 0xda) {
          if (frame == null) {
            throw malformed("The JPEG has no frame header (SOF) before its image data");
          }
          m = afterScan(in);
        } else {
          m = marker(in);
        }
      }
    } catch (EOFException e) {
      throw malformed("The JPEG is truncated: it ends before its EOI marker");
    }
  }

  /** The next marker's code: 0xFF, any fill bytes 0xFF, then the code. */
  private int marker(ByteCursor in) throws IOException {
    long at = in.pos();
    if (in.u8() != 0xff) {
      throw malformed("The JPEG is damaged: no marker at byte " + at);
    }
    int m;
    do {
      m = in.u8();
    } while (m == 0xff);
    return m;
  }

  /** Walks entropy-coded data (0xFF00 is a data byte, RSTn belong to it) to the marker that ends the scan. */
  private static int afterScan(ByteCursor in) throws IOException {
    while (true) {
      if (in.u8() != 0xff) {
        continue;
      }
      int m;
      do {
        m = in.u8();
      } while (m == 0xff);
      if (m != 0x00 && (m < 0xd0 || m > 0xd7)) {
        return m;
      }
    }
  }

  /** RIFF container of the declared size (the image ends there), then a VP8, VP8L or VP8X chunk. */
  private Sniffed webp(ByteCursor in) throws IOException {
    byte[] header = in.bytes(30);
    ByteBuffer le = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long riff = (le.getInt(4) & 0xffffffffL) + 8;
    if (riff > in.size()) {
      throw malformed("The WebP is truncated: its header declares " + riff + " bytes, the file has " + in.size());
    }
    byte[] chunk = Arrays.copyOfRange(header, 12, 30);
    String type = ascii(chunk, 0, 4);
    long width;
    long height;
    switch (type) {
      case "VP8X":
        width = 1 + uint24(chunk, 12);
        height = 1 + uint24(chunk, 15);
        break;
      case "VP8 ":
        if ((chunk[11] & 0xff) != 0x9d || (chunk[12] & 0xff) != 0x01 || (chunk[13] & 0xff) != 0x2a) {
          throw malformed("The WebP is damaged: its VP8 frame has no start code");
        }
        width = le.getShort(26) & 0x3fff;
        height = le.getShort(28) & 0x3fff;
        break;
      case "VP8L":
        if ((chunk[8] & 0xff) != 0x2f) {
          throw malformed("The WebP is damaged: its VP8L stream has no signature");
        }
        int bits = ByteBuffer.wrap(chunk, 9, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        width = (bits & 0x3fff) + 1;
        height = ((bits >>> 14) & 0x3fff) + 1;
        break;
      default:
        throw malformed("The WebP is damaged: unknown first chunk \"" + type.strip() + "\"");
    }
    checkSize(ImageKind.WEBP, width, height);
    return new Sniffed(ImageKind.WEBP, (int) width, (int) height, riff);
  }

  private static int uint24(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
  }

  private static boolean startsWith(byte[] head, byte[] prefix) {
    return head.length >= prefix.length && Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static String ascii(byte[] b, int at, int n) {
    return new String(b, at, n, StandardCharsets.ISO_8859_1);
  }

  private static String name(ImageKind kind) {
    return kind == ImageKind.WEBP ? "WebP" : kind.name();
  }

  private UploadRejectedException malformed(String message) {
    return new UploadRejectedException(Reason.MALFORMED, message, limitBytes);
  }
}
