package io.comfygate.uploads;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * Reads a file forwards through a small buffer, byte by byte or in runs, and skips by moving the
 * position: an image's structure can be walked to its end marker without holding the file in
 * memory. Reading past the end throws {@link EOFException}. Not thread-safe.
 */
final class ByteCursor {
  private final SeekableByteChannel in;
  private final long size;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private long bufferStart;
  private long pos;

  ByteCursor(SeekableByteChannel in) throws IOException {
    this.in = in;
    this.size = in.size();
    buffer.limit(0);
  }

  long size() {
    return size;
  }

  long pos() {
    return pos;
  }

  /** Moves forward {@code n} bytes. @throws EOFException if that passes the end */
  void skip(long n) throws EOFException {
    if (n < 0) {
      throw new IllegalArgumentException("cannot skip backwards: " + n);
    }
    seek(pos + n);
  }

  /** Moves to {@code position}. @throws EOFException if that is past the end */
  void seek(long position) throws EOFException {
    if (position < 0 || position > size) {
      throw new EOFException();
    }
    pos = position;
  }

  int u8() throws IOException {
    long offset = pos - bufferStart;
    if (offset < 0 || offset >= buffer.limit()) {
      fill();
      offset = 0;
    }
    pos++;
    return buffer.get((int) offset) & 0xff;
  }

  /** Big-endian unsigned 16 bits. */
  int u16() throws IOException {
    return u8() << 8 | u8();
  }

  /** Big-endian 32 bits, unsigned. */
  long u32() throws IOException {
    return (long) u16() << 16 | u16();
  }

  byte[] bytes(int n) throws IOException {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) u8();
    }
    return out;
  }

  private void fill() throws IOException {
    if (pos >= size) {
      throw new EOFException();
    }
    buffer.clear();
    in.position(pos);
    while (buffer.hasRemaining() && in.read(buffer) >= 0) {
      // until full or at the end of the file
    }
    buffer.flip();
    bufferStart = pos;
    if (buffer.limit() == 0) {
      throw new EOFException();
    }
  }
}
