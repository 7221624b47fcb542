package io.comfygate.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.events.ComfyEvent;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Internal, not API. Decodes ComfyUI's binary WebSocket frames: a big-endian uint32 event type,
 * then a type-specific layout (protocol §2). Copies the image bytes, so the caller's buffer may be
 * reused. Stateless and thread-safe.
 */
public final class BinaryFrames {
  static final int PREVIEW_IMAGE = 1;
  static final int TEXT = 3;
  static final int PREVIEW_IMAGE_WITH_METADATA = 4;

  private BinaryFrames() {}

  /**
   * Decodes one frame; empty for unknown types and for frames too short for their layout (we skip
   * rather than fail so that a newer server cannot break the event stream).
   */
  public static Optional<ComfyEvent> decode(ByteBuffer frame) {
    ByteBuffer b = frame.slice().order(ByteOrder.BIG_ENDIAN);
    try {
      int type = b.getInt();
      switch (type) {
        case PREVIEW_IMAGE: {
          int format = b.getInt();
          // The frontend treats every format code other than PNG as JPEG; so do we.
          String mime = format == 2 ? "image/png" : "image/jpeg";
          return Optional.of(new ComfyEvent.Preview(mime, rest(b), null, null));
        }
        case TEXT: {
          String nodeId = utf8(b, b.getInt());
          return Optional.of(new ComfyEvent.ProgressText(nodeId, StandardCharsets.UTF_8.decode(b).toString()));
        }
        case PREVIEW_IMAGE_WITH_METADATA: {
          JsonNode meta = Json.MAPPER.readTree(utf8(b, b.getInt()));
          String mime = Json.textOr(meta, "image_type", "image/png");
          return Optional.of(new ComfyEvent.Preview(mime, rest(b), Json.text(meta, "prompt_id"),
              Json.text(meta, "node_id")));
        }
        default:
          return Optional.empty();
      }
    } catch (BufferUnderflowException | IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
  }

  private static String utf8(ByteBuffer b, int length) {
    if (length < 0 || length > b.remaining()) {
      throw new IllegalArgumentException("length " + length + " exceeds frame");
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] rest(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
