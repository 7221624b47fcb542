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
 * nothing): PNG, JPEG or WebP, with width and height from its header. The structure is walked far
 * enough to refuse truncated files (PNG up to IEND, JPEG to its EOI marker, WebP to its RIFF size);
 * pixels are never decoded.
 */
final class ImageSniffer {
  /** Larger sides are refused: no real input needs them, and they would exhaust ComfyUI's memory. */
  static final int MAX_SIDE = 16384;
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** How far before the end of a JPEG its EOI marker may be (some writers pad). */
  private static final int JPEG_TAIL = 64;

  /** What a file turned out to be. */
  record Sniffed(ImageKind kind, int width, int height) {}

  private ImageSniffer() {}

  /** @throws UploadRejectedException (UNSUPPORTED_TYPE or MALFORMED) naming what is wrong */
  static Sniffed sniff(Path file, long limitBytes) throws IOException {
    try (SeekableByteChannel in = Files.newByteChannel(file)) {
      long size = in.size();
      if (size == 0) {
        throw malformed("The file is empty", limitBytes);
      }
      byte[] head = bytes(in, 0, (int) Math.min(16, size));
      Sniffed found;
      if (startsWith(head, PNG_SIGNATURE)) {
        found = png(in, size, limitBytes);
      } else if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
        found = jpeg(in, size, limitBytes);
      } else if (head.length >= 12 && ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("WEBP")) {
        found = webp(in, size, limitBytes);
      } else {
        throw new UploadRejectedException(Reason.UNSUPPORTED_TYPE, "The file is not a PNG, JPEG or WebP image"
            + " (judged by its content; its name and declared type do not count)", limitBytes);
      }
      if (found.width() < 1 || found.height() < 1 || found.width() > MAX_SIDE || found.height() > MAX_SIDE) {
        throw malformed("The " + name(found.kind()) + " is " + found.width() + "x" + found.height()
            + " pixels; each side must be 1 to " + MAX_SIDE, limitBytes);
      }
      return found;
    } catch (EOFException e) {
      throw malformed("The image is truncated: it ends before its header is complete", limitBytes);
    }
  }

  /** Signature, IHDR first, then chunk by chunk (lengths only) up to IEND. */
  private static Sniffed png(SeekableByteChannel in, long size, long limit) throws IOException {
    ByteBuffer ihdr = ByteBuffer.wrap(bytes(in, 8, 16));
    if (ihdr.getInt(0) != 13 || !ascii(ihdr.array(), 4, 4).equals("IHDR")) {
      throw malformed("The PNG does not start with its IHDR header chunk", limit);
    }
    int width = ihdr.getInt(8);
    int height = ihdr.getInt(12);
    long pos = 8;
    while (true) {
      if (pos + 12 > size) {
        throw malformed("The PNG is truncated: it ends after " + size + " bytes, before its IEND chunk", limit);
      }
      ByteBuffer chunk = ByteBuffer.wrap(bytes(in, pos, 8));
      long length = chunk.getInt(0) & 0xffffffffL;
      String type = ascii(chunk.array(), 4, 4);
      if (length > Integer.MAX_VALUE || !type.chars().allMatch(Character::isLetter)) {
        throw malformed("The PNG is damaged: a chunk at byte " + pos + " is malformed", limit);
      }
      pos += 12 + length;
      if (type.equals("IEND")) {
        if (pos > size) {
          throw malformed("The PNG is truncated in its IEND chunk", limit);
        }
        return new Sniffed(ImageKind.PNG, width, height);
      }
    }
  }

  /** SOI, then marker segments up to the first frame header (SOFn); EOI at the end. */
  private static Sniffed jpeg(SeekableByteChannel in, long size, long limit) throws IOException {
    long pos = 2;
    Sniffed found = null;
    while (found == null) {
      byte[] marker = bytes(in, pos, 2);
      if ((marker[0] & 0xff) != 0xff) {
        throw malformed("The JPEG is damaged: no marker at byte " + pos, limit);
      }
      int m = marker[1] & 0xff;
      if (m == 0xff) {
        pos++; // fill byte
        continue;
      }
      if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        pos += 2; // markers without a length
        continue;
      }
      if (m == 0xda || m == 0xd9) {
        throw malformed("The JPEG has no frame header (SOF) before its image data", limit);
      }
      int length = ByteBuffer.wrap(bytes(in, pos + 2, 2)).getShort() & 0xffff;
      if (length < 2) {
        throw malformed("The JPEG is damaged: a segment at byte " + pos + " has length " + length, limit);
      }
      boolean frame = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
      if (frame) {
        ByteBuffer sof = ByteBuffer.wrap(bytes(in, pos + 4, 5));
        found = new Sniffed(ImageKind.JPEG, sof.getShort(3) & 0xffff, sof.getShort(1) & 0xffff);
      }
      pos += 2 + length;
    }
    int tail = (int) Math.min(size, JPEG_TAIL);
    byte[] end = bytes(in, size - tail, tail);
    for (int i = end.length - 2; i >= 0; i--) {
      if ((end[i] & 0xff) == 0xff && (end[i + 1] & 0xff) == 0xd9) {
        return found;
      }
    }
    throw malformed("The JPEG is truncated: it does not end with its EOI marker", limit);
  }

  /** RIFF container of the declared size, then a VP8, VP8L or VP8X chunk. */
  private static Sniffed webp(SeekableByteChannel in, long size, long limit) throws IOException {
    long riff = (ByteBuffer.wrap(bytes(in, 4, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL) + 8;
    if (riff > size) {
      throw malformed("The WebP is truncated: its header declares " + riff + " bytes, the file has " + size, limit);
    }
    byte[] chunk = bytes(in, 12, 18);
    ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    String type = ascii(chunk, 0, 4);
    switch (type) {
      case "VP8X":
        return new Sniffed(ImageKind.WEBP, 1 + uint24(chunk, 12), 1 + uint24(chunk, 15));
      case "VP8 ":
        if ((chunk[11] & 0xff) != 0x9d || (chunk[12] & 0xff) != 0x01 || (chunk[13] & 0xff) != 0x2a) {
          throw malformed("The WebP is damaged: its VP8 frame has no start code", limit);
        }
        return new Sniffed(ImageKind.WEBP, le.getShort(14) & 0x3fff, le.getShort(16) & 0x3fff);
      case "VP8L":
        if ((chunk[8] & 0xff) != 0x2f) {
          throw malformed("The WebP is damaged: its VP8L stream has no signature", limit);
        }
        int bits = ByteBuffer.wrap(chunk, 9, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return new Sniffed(ImageKind.WEBP, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
      default:
        throw malformed("The WebP is damaged: unknown first chunk \"" + type.strip() + "\"", limit);
    }
  }

  private static int uint24(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
  }

  private static byte[] bytes(SeekableByteChannel in, long pos, int n) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(n);
    in.position(pos);
    while (buffer.hasRemaining()) {
      if (in.read(buffer) < 0) {
        throw new EOFException();
      }
    }
    return buffer.array();
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

  private static UploadRejectedException malformed(String message, long limit) {
    return new UploadRejectedException(Reason.MALFORMED, message, limit);
  }
}
